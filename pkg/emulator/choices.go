package emulator

import "time"

// The emulator's choices where 8x8 documents nothing, in one place (the
// older choices made where they act, DefaultWebhookTimeout and the ring
// durations of session.go, are referenced here too). docs/emulator.md,
// section "Choices", lists the same; `ivrctl emulate --help` names the
// ones a user meets.

const (
	// Choice: a VCA (and VSS) webhook request gets DefaultWebhookTimeout
	// (5s, --webhook-timeout) to answer, connecting to reading the body.
	// 8x8 publishes no timeout; its webhooks overview asks for a quick 200.
	// (DefaultWebhookTimeout, emulator.go.)

	// Choice: a session summary answered non-2xx is NOT delivered again
	// by default: 8x8 documents no retry, and a test should see the
	// failure. With the retry-vss fault it is delivered up to VSSAttempts
	// times in all, at once (no back-off on the virtual clock), the same
	// body each time, until one answer is 2xx.
	VSSAttempts = 3

	// Choice: with duplicate-vca the same event (same eventId) is posted
	// twice in a row and the emulator plays the callflow of the SECOND
	// answer, as a platform that redelivers because it lost the first
	// answer would: a backend whose state moved on the first delivery
	// answers the redelivery wrongly, and the call shows it.

	// Choice: with delay-vss a session's summary is held back and
	// delivered right after the next session's summary (or when the
	// emulator shuts down or a test suite ends: Emulator.Flush). Its
	// delivery result is logged, not added to the finished transcript.

	// Choice: hangup-in-prompt=N hangs up halfway through the Nth prompt
	// played; hangup-in-capture=N after the first key of the caller's
	// entry at the Nth prompt (silence: after half the overallTimeout).
	// No VCA event follows either (8x8 sends VCA when an action
	// completes; a hung-up capture does not), the summary says COMPLETED,
	// lastAction HANGUP, as 8x8's example of a caller hanging up in the
	// menu.

	// Choice: barge-in: the caller's first key comes BargeInAfter into the
	// prompt, which stops there (the Heard entry is marked Cut); the keys
	// are captured as if pressed after the prompt. 8x8 does not say
	// whether sayAndCapture takes keys during its prompt; most IVR
	// platforms do.
	BargeInAfter = 1 * time.Second

	// Choice: slow-network without a value waits DefaultSlowNetwork before
	// each webhook request; at most MaxSlowNetwork can be asked.
	DefaultSlowNetwork = 1 * time.Second
	MaxSlowNetwork     = time.Minute

	// Choice: CALL_STATUS (VCS) events go through a queue of VCSQueueSize
	// events posted by VCSWorkers goroutines, each post bounded by the
	// webhook timeout. A full queue drops the event (counted, logged):
	// 8x8 calls VCS best effort and unordered, and a status post must
	// never hold up a call. Shutdown and Flush wait for the queue.
	VCSQueueSize = 1024
	VCSWorkers   = 4

	// Choice: an inbound call's callA is connected when the platform
	// sends CALL_RECEIVED (the caller hears what the answer plays), so its
	// connectedTimestamp is its initiatedTimestamp; it is INBOUND from the
	// caller to the virtual number, and callB (a makeCall in the answer,
	// as number masking does) is OUTBOUND. The CALL_RECEIVED event has no
	// dtmf, eventData or clientActionId, sourceRefId null and
	// destinationRefId the virtual number's referenceId, as the recorded
	// event in testdata/inbound-call-received.json.

	// Choice: an inbound call to a number that is not one of
	// Config.Numbers (when set) is refused before any event: 8x8 routes
	// only its own virtual numbers. So is one with no VCA webhook: 8x8
	// would have nobody to ask what to play.
)
