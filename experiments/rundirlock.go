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
	return lockFile(filepath.Join(dir, RunLockFile), false, func(who string) error {
		return fmt.Errorf("run directory %s is in use by %s: wait for it to end or stop it (Ctrl-C keeps its state), or choose another directory (-o)", dir, who)
	})
}

// lockJournal takes the lock of an evaluation journal (path.lock, removed
// by unlock), so that two `sciml eval` writing the same table never share
// its journal: the second gets an error naming the first.
func lockJournal(path string) (unlock func(), err error) {
	return lockFile(path+".lock", true, func(who string) error {
		return fmt.Errorf("evaluation journal %s is in use by %s, an evaluation into the same table: wait for it to end or stop it (Ctrl-C keeps its samples), or choose another table (-o)", path, who)
	})
}

// lockFile takes an advisory flock(2) on path, created if need be, and
// writes who holds it there; a lock held elsewhere is busy(who). With
// remove, unlock removes the file before it lets go, and a lock taken on a
// file that its holder removed meanwhile is taken again on the new one.
func lockFile(path string, remove bool, busy func(who string) error) (unlock func(), err error) {
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o666)
		if err != nil {
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				holder, _ := os.ReadFile(path)
				who := strings.TrimSpace(string(holder))
				if who == "" {
					who = "another process"
				}
				return nil, busy(who)
			}
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if remove {
			// The file locked must still be the one at path.
			var held, now syscall.Stat_t
			if syscall.Fstat(int(f.Fd()), &held) != nil || syscall.Stat(path, &now) != nil || held.Ino != now.Ino || held.Dev != now.Dev {
				f.Close()
				continue
			}
		}
		// Who holds it, for the error above (best effort).
		if err := f.Truncate(0); err == nil {
			fmt.Fprintf(f, "pid %d, since %s (%s)\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339), strings.Join(os.Args, " "))
		}
		return func() {
			if remove {
				os.Remove(path)
			}
			f.Close()
		}, nil
	}
}
