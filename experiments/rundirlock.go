package experiments

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// RunLockFile is the lock a run holds in its directory while it runs.
const RunLockFile = ".lock"

// lockRunDir makes dir and takes the lock of the run in it, so that two
// processes (a second `sciml run --resume` of a run still going, two
// queues of long runs) never train or evaluate into the same checkpoint,
// metrics and journal: the second gets an error naming the first. The lock
// is an advisory flock(2) on dir/.lock, dropped by unlock or when the
// process ends, however it ends; the file stays and says who holds it.
func lockRunDir(dir string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, RunLockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			holder, _ := os.ReadFile(path)
			who := strings.TrimSpace(string(holder))
			if who == "" {
				who = "another process"
			}
			return nil, fmt.Errorf("run directory %s is in use by %s: wait for it to end or stop it (Ctrl-C keeps its state), or choose another directory (-o)", dir, who)
		}
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	// Who holds it, for the error above (best effort).
	if err := f.Truncate(0); err == nil {
		fmt.Fprintf(f, "pid %d, since %s (%s)\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339), strings.Join(os.Args, " "))
	}
	return func() { f.Close() }, nil
}
