package experiments

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A run directory in use by another process (here: its lock held) is
// refused by every kind before anything is read or written, naming the
// holder; the lock is dropped when the holder ends. (That a run releases
// it is checked by the tests that run twice into one directory, such as
// TestTinyBurgersRun's resume.)
func TestRunDirLock(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	unlock, err := lockRunDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, RunLockFile)); !strings.HasPrefix(string(b), fmt.Sprintf("pid %d, since ", os.Getpid())) {
		t.Errorf("lock file says %q", b)
	}
	if _, err := lockRunDir(dir); err == nil || !strings.Contains(err.Error(), "is in use by pid ") {
		t.Errorf("second lock: %v", err)
	}
	opts := Options{Dir: dir, DataDir: filepath.Join(t.TempDir(), "data")}
	cfg, err := Load(filepath.Join("testdata", "tiny-burgers.yaml"), "")
	if err != nil {
		t.Fatal(err)
	}
	want := "run directory " + dir + " is in use by pid "
	if _, err := Run(context.Background(), cfg, opts); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("operator run in a locked directory: %v", err)
	}
	for _, name := range []string{"pinn-poisson", "pinn-wave", "inr-fit"} {
		profile := "quick"
		if name == "pinn-wave" {
			profile = "marching"
		}
		src, err := Source(name)
		if err != nil {
			t.Fatal(err)
		}
		kind, err := KindOf(src, name)
		if err != nil {
			t.Fatal(err)
		}
		k, _ := LookupKind(kind)
		if _, err := k.Run(context.Background(), src, name, profile, opts); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s %s in a locked directory: %v", name, profile, err)
		}
	}
	if es, _ := os.ReadDir(dir); len(es) != 1 {
		t.Errorf("the locked directory now holds %d entries", len(es))
	}
	unlock()
	unlock2, err := lockRunDir(dir)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	unlock2()
}
