package emulator

import "strings"

// Script is the simple caller `ivrctl emulate` takes from its flags: how
// the callee and the agent pick up, and the keys pressed at successive
// prompts. Make a fresh Caller per session with Caller.
type Script struct {
	Answer Pickup // callA, the callee of the Send Callflow request (default answer)
	Agent  Pickup // callB, a bridged leg (default answer)
	// Press holds the keys for successive prompts, one item per prompt
	// played (retries included); "" is silence. When the list runs out
	// the caller hangs up at the next prompt.
	Press []string
	// Faults are played by every session of this script (faults.go).
	Faults Faults
}

// ParsePress splits "2,,1" into {"2", "", "1"}; "" is no prompt answered.
func ParsePress(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// Caller returns a Caller playing the script from its start.
func (s Script) Caller() Caller { return &scriptCaller{s: s} }

type scriptCaller struct {
	s    Script
	next int
}

// Faults makes a script's caller a FaultCaller.
func (c *scriptCaller) Faults() Faults { return c.s.Faults }

func (c *scriptCaller) Dial(leg int, destination string) Pickup {
	p := c.s.Answer
	if leg > 0 {
		p = c.s.Agent
	}
	if p == "" {
		return PickupAnswer
	}
	return p
}

func (c *scriptCaller) Capture(prompt string, try int) (string, bool) {
	if c.next >= len(c.s.Press) {
		return "", true
	}
	keys := c.s.Press[c.next]
	c.next++
	return keys, false
}
