//go:build unix

package dial

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/pkg/emulator"
	"github.com/ivrctl/ivrctl/pkg/phone"
)

// --speak runs espeak-ng with the text on stdin and the emulator's pace
// as words per minute; a new text kills the one being said, and stop
// kills the last. Without espeak-ng on PATH there is no speaker.
func TestSpeaker(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PATH", dir)
	if newSpeaker(context.Background(), 1) != nil {
		t.Fatal("a speaker without espeak-ng")
	}
	log := filepath.Join(dir, "said")
	// A fake espeak-ng: notes its rate and text, then talks for a long
	// time (until killed).
	script := "#!/bin/sh\nprintf '%s %s|' \"$2\" \"$(/bin/cat)\" >> " + log + "\nexec /bin/sleep 30\n"
	if err := os.WriteFile(filepath.Join(dir, espeak), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	sp := newSpeaker(context.Background(), 2)
	if sp == nil {
		t.Fatal("no speaker with espeak-ng on PATH")
	}
	say := func(text string) {
		words := strings.Fields(text)
		sp.on(phone.Speaking{Heard: emulator.Heard{Kind: emulator.HeardPrompt, Text: text}, Words: words,
			Duration: time.Duration(len(words)) * 400 * time.Millisecond})
	}
	start := time.Now()
	say("Press one for sales")
	waitLog(t, log, "300 Press one for sales|")
	say("Goodbye")
	waitLog(t, log, "300 Press one for sales|300 Goodbye|")
	sp.stop() // kills the second; the first was killed by it
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the speech was waited for: %s", d)
	}
}

func waitLog(t *testing.T, file, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if data, _ := os.ReadFile(file); string(data) == want {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	data, _ := os.ReadFile(file)
	t.Fatalf("espeak-ng got %q, want %q", data, want)
}
