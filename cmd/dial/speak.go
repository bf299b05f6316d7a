package dial

import (
	"context"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ivrctl/ivrctl/pkg/emulator"
	"github.com/ivrctl/ivrctl/pkg/phone"
)

// espeak is the speech synthesizer --speak runs.
const espeak = "espeak-ng"

// speaker says texts aloud with espeak-ng, one at a time: a new text
// stops the one still being said. The call never waits for it: each
// utterance is a process of its own, started and left to run, killed when
// the next begins or dial exits.
type speaker struct {
	ctx  context.Context
	path string
	pace float64

	mu     sync.Mutex
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// newSpeaker returns nil when espeak-ng is not installed.
func newSpeaker(ctx context.Context, pace float64) *speaker {
	path, err := exec.LookPath(espeak)
	if err != nil {
		return nil
	}
	return &speaker{ctx: ctx, path: path, pace: pace}
}

// on hears the phone's events and says each text as it begins.
func (s *speaker) on(ev phone.Event) {
	if s == nil {
		return
	}
	sp, ok := ev.(phone.Speaking)
	if !ok || sp.Heard.Kind == emulator.HeardPlay {
		return
	}
	s.say(sp.Heard.Text, wordsPerMinute(len(sp.Words), sp.Duration, s.pace))
}

// wordsPerMinute is the rate that says n words in d (scaled by pace), in
// the range espeak-ng takes.
func wordsPerMinute(n int, d time.Duration, pace float64) int {
	if n == 0 || d <= 0 {
		return 150
	}
	wpm := float64(n) / d.Minutes() * pace
	return int(min(max(wpm, 80), 450))
}

func (s *speaker) say(text string, wpm int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		s.cancel()
	}
	ctx, cancel := context.WithCancel(s.ctx)
	s.cancel = cancel
	// The text goes on stdin: as an argument, one starting with '-'
	// would be read as an option.
	cmd := exec.CommandContext(ctx, s.path, "-s", strconv.Itoa(wpm))
	cmd.Stdin = strings.NewReader(text)
	if err := cmd.Start(); err != nil {
		cancel()
		return // no sound is no reason to stop the call
	}
	s.wg.Go(func() {
		_ = cmd.Wait()
		cancel()
	})
}

// stop kills what is being said and waits for it.
func (s *speaker) stop() {
	if s == nil {
		return
	}
	s.mu.Lock()
	if s.cancel != nil {
		s.cancel()
	}
	s.mu.Unlock()
	s.wg.Wait()
}
