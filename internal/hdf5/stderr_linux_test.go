package hdf5

import (
	"io"
	"os"
	"syscall"
	"testing"
)

// captureFD2 runs fn with file descriptor 2 (what C's stderr writes to)
// redirected into a pipe, and returns what was written.
func captureFD2(t *testing.T, fn func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	must(t, err)
	saved, err := syscall.Dup(2)
	must(t, err)
	must(t, syscall.Dup3(int(w.Fd()), 2, 0))
	done := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(r)
		done <- b
	}()
	func() {
		defer func() {
			syscall.Dup3(saved, 2, 0)
			syscall.Close(saved)
			w.Close()
		}()
		fn()
	}()
	out := <-done
	r.Close()
	return string(out)
}

// TestNothingOnStderr runs every error path with file descriptor 2
// redirected and checks that libhdf5 printed nothing.
func TestNothingOnStderr(t *testing.T) {
	dir := t.TempDir()
	good := writeSamples(t, 4, 4, 4, nil)
	raw, err := os.ReadFile(good)
	must(t, err)
	text := dir + "/text.h5"
	must(t, os.WriteFile(text, []byte("hello"), 0o644))
	trunc := dir + "/trunc.h5"
	must(t, os.WriteFile(trunc, raw[:len(raw)/2], 0o644))

	out := captureFD2(t, func() {
		os.Stderr.WriteString("MARK") // proves the capture works
		for _, p := range []string{text, trunc, dir + "/missing.h5"} {
			if f, err := Open(p, ReadWrite); err == nil {
				f.Close()
			}
		}
		Create(dir + "/no/such/dir.h5")
		f, err := Open(good, ReadOnly)
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		f.OpenDataset("missing")
		f.OpenGroup("input")
		f.Attr("missing")
		f.SetAttr("x", 1.0)
		f.CreateGroup("g")
		f.Exists("input/deeper/still")
		ds, err := f.OpenDataset("input")
		if err != nil {
			t.Error(err)
			return
		}
		ds.WriteSlab([]int{0, 0, 0}, []int{1, 4, 4}, make([]float32, 16))
		ds.Extend([]int{8, 4, 4})
		ds.DeleteAttr("nope")
	})
	if out != "MARK" {
		t.Errorf("stderr got %q, want only the marker", out)
	}
}
