package atomicfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// The files written get 0666 less the umask, as os.WriteFile gives, and
// not os.CreateTemp's 0600.
func TestPermAsWriteFile(t *testing.T) {
	dir := t.TempDir()
	ref := filepath.Join(dir, "ref")
	if err := os.WriteFile(ref, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	want := mode(t, ref)
	if want != Perm {
		t.Fatalf("Perm %v, os.WriteFile gives %v", Perm, want)
	}
	path := filepath.Join(dir, "a.json")
	if err := WriteFile(path, []byte("{}\n")); err != nil {
		t.Fatal(err)
	}
	if got := mode(t, path); got != want {
		t.Errorf("WriteFile: mode %v, want %v", got, want)
	}
	// An existing file is replaced, with the same permissions.
	os.Chmod(path, 0o600)
	if err := WriteFile(path, []byte("[]\n")); err != nil {
		t.Fatal(err)
	}
	if got := mode(t, path); got != want {
		t.Errorf("WriteFile over a 0600 file: mode %v, want %v", got, want)
	}
	if b, _ := os.ReadFile(path); string(b) != "[]\n" {
		t.Errorf("content %q", b)
	}
	// A file created by name (as libhdf5 does) and committed.
	tmp, err := TempFor(filepath.Join(dir, "b.h5"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tmp, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Commit(tmp, filepath.Join(dir, "b.h5")); err != nil {
		t.Fatal(err)
	}
	if got := mode(t, filepath.Join(dir, "b.h5")); got != want {
		t.Errorf("Commit: mode %v, want %v", got, want)
	}
	assertOnly(t, dir, "a.json", "b.h5", "ref")
}

// A failing writer leaves the old file as it was and no temporary file.
func TestWriteFailureKeepsOld(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ck")
	if err := WriteFile(path, []byte("old")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	big := bytes.Repeat([]byte{7}, 1<<20) // more than the buffer: part reaches the file
	err := Write(path, func(w io.Writer) error {
		w.Write(big)
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err %v, want boom", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("old file now %d bytes", len(b))
	}
	assertOnly(t, dir, "ck")
	if err := Write(filepath.Join(dir, "missing", "x"), func(io.Writer) error { return nil }); err == nil {
		t.Error("no error for a missing directory")
	}
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Name())
	}
	if len(got) != len(names) {
		t.Fatalf("directory holds %v, want %v", got, names)
	}
	for i := range got {
		if got[i] != names[i] {
			t.Fatalf("directory holds %v, want %v", got, names)
		}
	}
}
