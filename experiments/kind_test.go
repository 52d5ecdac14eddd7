package experiments

import (
	"context"
	"strings"
	"testing"
)

func TestKindsAndDecodeStrict(t *testing.T) {
	type toy struct {
		Kind  string `yaml:"kind"`
		Name  string `yaml:"name"`
		Steps int    `yaml:"steps"`
		Net   struct {
			Width int `yaml:"width"`
		} `yaml:"net"`
	}
	RegisterKind(Kind{Name: "toytest",
		Resolve: func(src []byte, label, profile string) ([]byte, error) { return src, nil },
		Run: func(ctx context.Context, src []byte, label, profile string, opts Options) (string, error) {
			return "ok", nil
		}})
	src := []byte("kind: toytest\nname: t\nsteps: 10\nnet:\n  width: 8\nprofiles:\n  quick:\n    steps: 2\n    net:\n      width: 4\n")
	if k, err := KindOf(src, "t.yaml"); err != nil || k != "toytest" {
		t.Fatalf("KindOf = %q, %v", k, err)
	}
	if k, err := KindOf([]byte("name: x\n"), "x.yaml"); err != nil || k != KindOperator {
		t.Fatalf("KindOf without kind = %q, %v", k, err)
	}
	if _, err := KindOf([]byte("name: x\nkind: nope\n"), "x.yaml"); err == nil || !strings.Contains(err.Error(), "x.yaml:2: kind") {
		t.Fatalf("unknown kind: %v", err)
	}
	var c toy
	lines, err := DecodeStrict(src, "t.yaml", "quick", &c)
	if err != nil {
		t.Fatal(err)
	}
	if c.Steps != 2 || c.Net.Width != 4 || c.Name != "t" {
		t.Fatalf("profile not applied: %+v", c)
	}
	if got := Where("t.yaml", lines, "net.width"); got != "t.yaml:5: " && got != "t.yaml:10: " {
		t.Fatalf("Where(net.width) = %q", got)
	}
	_, err = DecodeStrict([]byte("name: t\nnet:\n  widht: 3\n"), "t.yaml", "", &c)
	if err == nil || !strings.Contains(err.Error(), "t.yaml:3") || !strings.Contains(err.Error(), "widht") {
		t.Fatalf("unknown key: %v", err)
	}
	if ks := Kinds(); ks[0] != KindOperator {
		t.Fatalf("Kinds() = %v", ks)
	}
	// An operator config that names another kind is rejected by Validate.
	cfg, err := Parse("burgers-fno", "quick")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Kind = "toytest"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "kind") {
		t.Fatalf("Validate with kind toytest: %v", err)
	}
}
