package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// The first interrupt cancels the context (state is saved at the next
// step); the second exits at once with status 130.
func TestInterruptContext(t *testing.T) {
	sigs := make(chan os.Signal, 2)
	var mu sync.Mutex
	var out bytes.Buffer
	exited := make(chan int, 1)
	ctx := interruptContext(context.Background(), sigs, writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return out.Write(p)
	}), func(code int) { exited <- code })
	if ctx.Err() != nil {
		t.Fatal("cancelled before any signal")
	}
	sigs <- os.Interrupt
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("not cancelled by the first interrupt")
	}
	select {
	case code := <-exited:
		t.Fatalf("exited (%d) after one interrupt", code)
	case <-time.After(50 * time.Millisecond):
	}
	sigs <- os.Interrupt
	select {
	case code := <-exited:
		if code != 130 {
			t.Errorf("exit status %d, want 130", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no exit after the second interrupt")
	}
	mu.Lock()
	defer mu.Unlock()
	if s := out.String(); !strings.Contains(s, "interrupt again to quit at once") || !strings.Contains(s, "interrupted again") {
		t.Errorf("messages:\n%s", s)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
