package inr

import (
	"context"
	"testing"
)

func TestNavierStokesSnapshot(t *testing.T) {
	f, err := NavierStokesSnapshot(context.Background(), 16, 0.5, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Check(); err != nil {
		t.Fatal(err)
	}
	if r := f.Range(); !(r > 0.1) || r > 100 {
		t.Errorf("vorticity range %v", r)
	}
}
