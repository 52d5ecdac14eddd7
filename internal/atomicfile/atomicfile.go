// Package atomicfile replaces files so that a reader, or a run killed
// half-way, sees either the old file or the whole new one: the new content
// is written to a temporary file next to the destination, synced and
// renamed over it.
//
// The files get the permissions os.WriteFile(path, data, 0o666) would give
// them, 0666 less the process's umask (0644 under the usual 022), not the
// 0600 of os.CreateTemp: a checkpoint, a report or an HDF5 file of a run is
// as readable as the run's other files.
package atomicfile

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// Perm is the mode of the files this package writes: 0666 less the umask,
// read once at start-up (a process cannot read its umask without setting
// it, so it is not read again while other goroutines create files).
var Perm = func() os.FileMode {
	m := syscall.Umask(0)
	syscall.Umask(m)
	return 0o666 &^ os.FileMode(m)
}()

// createTemp creates the temporary file for path, next to it.
func createTemp(path string) (*os.File, error) {
	return os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
}

// TempFor creates an empty temporary file next to path, for a writer that
// opens files by name (libhdf5), and returns its name. Commit moves it to
// path; on failure the caller removes it.
func TempFor(path string) (string, error) {
	f, err := createTemp(path)
	if err != nil {
		return "", err
	}
	name := f.Name()
	if err := f.Close(); err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

// Commit makes the finished file tmp durable, gives it Perm and renames
// it to path; the directory is synced where the file system allows it.
// tmp is left in place when Commit fails.
func Commit(tmp, path string) error {
	f, err := os.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := finish(f); err != nil {
		return err
	}
	return rename(tmp, path)
}

// finish syncs f, gives it Perm and closes it.
func finish(f *os.File) error {
	err := f.Sync()
	if err == nil {
		err = f.Chmod(Perm)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// rename moves tmp to path and syncs the directory (best effort: not every
// file system syncs directories).
func rename(tmp, path string) error {
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Write replaces the file at path with what write writes (buffered);
// nothing is left at path or next to it when write or any step fails.
func Write(path string, write func(io.Writer) error) error {
	f, err := createTemp(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 256<<10)
	err = write(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = finish(f)
	} else {
		f.Close()
	}
	if err == nil {
		err = rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// WriteFrom replaces the file at path with what src writes (a PNG canvas,
// a plot).
func WriteFrom(path string, src io.WriterTo) error {
	return Write(path, func(w io.Writer) error {
		_, err := src.WriteTo(w)
		return err
	})
}

// WriteFile replaces the file at path with data.
func WriteFile(path string, data []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
