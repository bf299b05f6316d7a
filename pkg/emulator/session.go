package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ivrctl/ivrctl/pkg/callflow"
)

// Virtual durations. 8x8 publishes none of them; these are plausible and
// fixed, so transcripts are stable.
const (
	RingAnswer   = 4 * time.Second  // ringing before the callee answers
	RingBusy     = 2 * time.Second  // until the busy tone ends the leg
	RingNoAnswer = 30 * time.Second // ringing before a leg is given up (a common carrier timeout)
	RingFail     = 1 * time.Second  // until an unreachable number fails
	AgentTalk    = 60 * time.Second // a bridged agent talks this long, then hangs up
	KeyTime      = 1 * time.Second  // from the end of a prompt (or the last key) to each key
	FilePlay     = 10 * time.Second // a playFile (its length is unknown)
	wordTime     = 400 * time.Millisecond
)

// The spec's defaults for sayAndCapture params that are absent or null.
// Choice: the spec (minDigits 1, maxDigits 1, overallTimeout 5000,
// completeOnHash true, noOfTries 1) over the guides (25, 30000, 3): it is
// the one machine-readable source, and ivrctl's menus send every value.
const (
	defaultMinDigits      = 1
	defaultMaxDigits      = 1
	defaultOverallTimeout = 5000 * time.Millisecond
	defaultNoOfTries      = 1
)

// Session error codes of errorDetails the emulator ends sessions with
// (8x8's VSS table, in pkg/callflow with the other status codes).
const (
	ErrorInternal     = callflow.SessionErrorInternal
	ErrorConnectivity = callflow.SessionErrorConnectivity
	ErrorCallflow     = callflow.SessionErrorCallflow
	// ErrorTTS (-2005) is in account.go, with why it is used.
)

// ErrorMessage returns 8x8's errorMsg for a session error code.
func ErrorMessage(code int) string { return callflow.SessionErrorMessage(code) }

// lastAction values of a session summary.
var lastActions = map[string]string{
	callflow.ActionMakeCall:      "MAKE_CALL",
	callflow.ActionSay:           "SAY",
	callflow.ActionSayAndCapture: "SAY_AND_CAPTURE",
	callflow.ActionPlayFile:      "PLAY_FILE",
	callflow.ActionHangup:        "HANGUP",
}

// maxLegs is how many legs a session may have: callA and one bridged callB.
const maxLegs = callflow.MaxMakeCalls

// leg is one call of a session.
type leg struct {
	callID              string
	source, destination string
	initiated           time.Duration
	connected           time.Duration // -1: never answered
	disconnected        time.Duration // -1: still up
	status              string
	direction           string // OUTBOUND, or INBOUND for an inbound call's callA
}

func (l *leg) up() bool { return l.connected >= 0 && l.disconnected < 0 }

// session is one call being emulated.
type session struct {
	e      *Emulator
	caller Caller
	req    *callflow.Request
	sub    string
	start  time.Time
	tr     *Transcript

	// Where this session's VCA events and summary go: the sub-account's
	// registered webhooks, else Config's (Emulator.webhooksFor).
	webhook Webhook
	vss     func(ctx context.Context, body []byte) error
	vcsPost func(ctx context.Context, body []byte) error // CALL_STATUS events (vcs.go); nil: none

	faults  Faults   // played by this session (faults.go)
	prompts int      // sayAndCapture prompts played so far, retries included
	inbound *Inbound // set for a call rung to a virtual number (inbound.go)

	now        time.Duration // virtual time since start
	legs       []*leg
	lastAction string
	menu       string // the clientActionId of the callflow running, for a Listener
	actions    int
	ended      bool
	errCode    int
	errMsg     string
}

// reject builds a NOT_CREATED answer.
func reject(crid string, httpStatus, code int, msg string, probs callflow.Problems) *RejectedError {
	return &RejectedError{
		HTTPStatus: httpStatus,
		Response: callflow.Response{
			SessionStatus:     callflow.SessionNotCreated,
			CallFlowRequestID: crid,
			StatusCode:        code,
			StatusMessage:     msg,
		},
		Problems: probs,
	}
}

// httpStatusFor is the HTTP status of a refusal. Choice: 8x8 shows -1007
// under 400 and -1013 under 422 and documents no other; every other
// validation code gets 400, the usual status of a bad request body.
func httpStatusFor(code int) int {
	if code == callflow.StatusFirstNotMakeCall {
		return http.StatusUnprocessableEntity
	}
	return http.StatusBadRequest
}

// prepare judges a Send Callflow body and makes its session.
func (e *Emulator) prepare(body []byte, sub string) (*session, *RejectedError) {
	if sub == "" {
		sub = DefaultSubAccount
	}
	crid := e.cfg.NewID()
	parsed := e.cache.request(body)
	if p := parsed.problems; len(p) > 0 {
		return nil, reject(crid, httpStatusFor(p[0].Code), p[0].Code, p[0].StatusMessage(), p)
	}
	req := parsed.req
	start := e.cfg.Start()
	if req.ValidUntil != "" {
		// The validator refused a validUntil that is not a date-time (one
		// verdict with `ivrctl validate`); whether it has passed depends
		// on when the request arrives.
		until, err := time.Parse(time.RFC3339Nano, req.ValidUntil)
		if err == nil && !until.After(start) {
			return nil, reject(crid, http.StatusBadRequest, callflow.StatusExpired, callflow.StatusMessage(callflow.StatusExpired), nil)
		}
	}
	if rej := e.checkCallerID(crid, req); rej != nil {
		return nil, rej
	}
	if rej := e.checkProfiles(crid, req); rej != nil {
		return nil, rej
	}
	wh, vss := e.webhooksFor(sub)
	if wh == nil && parsed.captures {
		// Choice: -1004 "DTMF callback url not provided" is what 8x8
		// answers a sayAndCapture when no VCA webhook is registered.
		return nil, reject(crid, http.StatusBadRequest, callflow.StatusNoDTMFCallback, callflow.StatusMessage(callflow.StatusNoDTMFCallback), nil)
	}
	s := &session{
		e:       e,
		webhook: wh,
		vss:     vss,
		req:     req,
		sub:     sub,
		start:   start,
		tr:      &Transcript{SessionID: e.cfg.NewID(), CallFlowRequestID: crid, Direction: directionOutbound},
		legs:    make([]*leg, 0, maxLegs),
		vcsPost: e.vcsFor(sub),
	}
	return s, nil
}

// created is Send Callflow's answer for a session.
func (s *session) created() callflow.Response {
	return callflow.Response{
		SessionID:         s.tr.SessionID,
		SessionStatus:     callflow.SessionCreated,
		CallFlowRequestID: s.tr.CallFlowRequestID,
		StatusCode:        callflow.StatusCreated,
		StatusMessage:     callflow.StatusMessage(callflow.StatusCreated),
	}
}

// run plays the session to its end and delivers the summary.
func (s *session) run(ctx context.Context, caller Caller) {
	s.caller = caller
	s.applyFaults()
	flow, cid := s.req.Callflow, ""
	if s.inbound != nil {
		flow, cid = s.receive(ctx)
	}
	for !s.ended {
		flow, cid = s.runFlow(ctx, flow, cid)
	}
	s.summarize()
	s.deliver(ctx)
}

// runFlow runs one callflow, cid being the clientActionId it came with.
// It returns the webhook's callflow to run next, or sets s.ended.
func (s *session) runFlow(ctx context.Context, flow []callflow.Action, cid string) ([]callflow.Action, string) {
	s.menu = cid
	for i := range flow {
		a := &flow[i]
		if s.actions++; s.actions > s.e.cfg.MaxActions {
			// A menu that loops forever (or a caller who never stops
			// pressing): a person would give up, so the caller hangs up.
			s.tr.Limited = true
			s.note(fmt.Sprintf("stopped after %d actions (MaxActions): the caller hung up", s.e.cfg.MaxActions))
			s.callerHangup()
			return nil, ""
		}
		p := a.Params
		if p == nil {
			p = &callflow.Params{}
		}
		s.lastAction = a.Action
		switch a.Action {
		case callflow.ActionMakeCall:
			if len(s.legs) == maxLegs {
				// Choice: 8x8 bridges at most two legs per session (no
				// conferencing), counting the webhooks' makeCalls too.
				s.fail(ErrorCallflow, fmt.Sprintf("makeCall to %s: a session has at most %d legs", p.Destination.Value, maxLegs))
				return nil, ""
			}
			if len(s.legs) == 0 {
				if !s.dial(0, p) {
					s.end()
					return nil, ""
				}
				continue
			}
			s.bridge(p)
			if cid != "" {
				// Choice: after a bridged call ends, 8x8 asks the
				// webhook again when the callflow named a next step
				// (the sample's "post_call"); its answer replaces the
				// rest. Without a clientActionId the callflow goes on.
				return s.callAction(ctx, callflow.CallStatusActionCompleted, cid, nil)
			}
		case callflow.ActionSay:
			if !s.speakable(p) {
				return nil, ""
			}
			s.hear(HeardSay, p.Text.Value, speech(p.Text.Value, p.Speed, p.Repetition))
		case callflow.ActionPlayFile:
			s.hear(HeardPlay, p.FileURL.Value, FilePlay*time.Duration(max(1, p.Repetition.Value)))
		case callflow.ActionSayAndCapture:
			if !s.speakable(p) {
				return nil, ""
			}
			digits, ok := s.capture(p)
			if s.ended {
				return nil, ""
			}
			var d *string
			if ok {
				d = &digits
			}
			return s.callAction(ctx, callflow.CallStatusActionCompleted, cid, d)
		case callflow.ActionHangup:
			s.hangupAll()
			return nil, ""
		default:
			// The validator refused it already; never reached.
			s.fail(ErrorCallflow, fmt.Sprintf("unknown action %q", a.Action))
			return nil, ""
		}
	}
	// Choice: a callflow that runs out of actions without hangup ends the
	// session, as 8x8's guides imply (nothing is left to do).
	s.hangupAll()
	return nil, ""
}

// dial rings a leg and reports whether it answered.
func (s *session) dial(i int, p *callflow.Params) bool {
	l := &leg{
		callID:       s.e.cfg.NewID(),
		source:       plus(p.Source.Value),
		destination:  plus(p.Destination.Value),
		initiated:    s.now,
		connected:    -1,
		disconnected: -1,
		direction:    directionOutbound,
	}
	s.legs = append(s.legs, l)
	s.callStatus(l, callStatusInitiated, nil)
	pick := s.caller.Dial(i, l.destination)
	s.tr.Dialled = append(s.tr.Dialled, Dial{Leg: i, Destination: l.destination, Pickup: pick, At: l.initiated, Webhook: len(s.tr.Webhooks) - 1})
	switch pick {
	case PickupAnswer:
		s.now += RingAnswer
		l.connected = s.now
	case PickupBusy:
		s.now += RingBusy
		l.status = callflow.SessionBusy
	case PickupNoAnswer:
		s.now += RingNoAnswer
		l.status = callflow.SessionNoAnswer
	default: // PickupFail, and anything a Caller made up
		s.now += RingFail
		l.status = callflow.SessionFailed
	}
	if l.connected < 0 {
		l.disconnected = s.now
	} else {
		s.callStatus(l, callStatusConnected, nil)
	}
	s.logf(EventDial, false, "leg %s %s: %s", legName(i), l.destination, pick)
	return l.connected >= 0
}

// bridge rings callB; once it answers the agent talks and hangs up.
func (s *session) bridge(p *callflow.Params) {
	i := len(s.legs)
	if !s.dial(i, p) {
		return
	}
	l := s.legs[i]
	s.tr.Connected = append(s.tr.Connected, l.destination)
	s.now += AgentTalk
	l.disconnected, l.status = s.now, callflow.SessionCompleted
}

// speech is how long a TTS text takes: 150 words a minute at speed 1.
func speech(text string, speed callflow.Opt[float64], rep callflow.Opt[int]) time.Duration {
	d := time.Duration(max(countWords(text), 1)) * wordTime
	if speed.Valid() && speed.Value > 0 {
		d = time.Duration(float64(d) / speed.Value).Round(time.Millisecond)
	}
	return d * time.Duration(max(1, rep.Value))
}

// countWords counts what strings.Fields would return, without the slice.
func countWords(s string) int {
	n, in := 0, false
	for _, r := range s {
		space := unicode.IsSpace(r)
		if !space && !in {
			n++
		}
		in = !space
	}
	return n
}

// hearCut records a prompt the caller did not hear to its end, taking d.
func (s *session) hearCut(kind, text string, d time.Duration) {
	s.tr.Heard = append(s.tr.Heard, Heard{Leg: 0, Kind: kind, Text: text, At: s.now, Cut: true})
	s.now += d
}

// hear records what callA heard, taking d of virtual time. Choice: a text
// or file played `repetition` times is one entry lasting that much longer,
// so a scenario lists it once, as it is written in the callflow.
func (s *session) hear(kind, text string, d time.Duration) {
	s.tr.Heard = append(s.tr.Heard, Heard{Leg: 0, Kind: kind, Text: text, At: s.now})
	s.heard(s.tr.Heard[len(s.tr.Heard)-1], d)
	s.now += d
}

// capture plays a prompt up to noOfTries times and returns the digits
// entered, ok=false for no valid input, or ends the session when the
// caller hangs up.
func (s *session) capture(p *callflow.Params) (string, bool) {
	minD, maxD := optInt(p.MinDigits, defaultMinDigits), optInt(p.MaxDigits, defaultMaxDigits)
	tries := optInt(p.NoOfTries, defaultNoOfTries)
	overall := defaultOverallTimeout
	if p.OverallTimeout.Valid() {
		overall = time.Duration(p.OverallTimeout.Value) * time.Millisecond
	}
	digitWait := overall
	if p.DigitTimeout.Valid() {
		digitWait = time.Duration(p.DigitTimeout.Value) * time.Millisecond
	}
	onHash := !p.CompleteOnHash.Valid() || p.CompleteOnHash.Value
	prompt := p.PromptMessage.Value
	for try := 1; try <= tries; try++ {
		s.prompts++
		played := speech(prompt, p.Speed, p.Repetition)
		if s.faults.HangupInPrompt == s.prompts {
			s.hearCut(HeardPrompt, prompt, played/2)
			s.fault(FaultHangupInPrompt, "the caller hung up halfway through prompt %d (%d/%d): no VCA event follows", s.prompts, try, tries)
			s.callerHangup()
			return "", false
		}
		s.prompted(p, try, tries, minD, maxD, digitWait, overall, onHash)
		// Choice: a person at the keys (a Listener, `ivrctl dial`) hears
		// the prompt before pressing anything; a scripted caller's prompt
		// is recorded after its keys are known, so barge-in can cut it.
		_, listening := s.caller.(Listener)
		if listening {
			s.hear(HeardPrompt, prompt, played)
		}
		keys, hangup := s.caller.Capture(prompt, try)
		if s.faults.HangupInCapture == s.prompts {
			if !listening {
				s.hear(HeardPrompt, prompt, played)
			}
			if keys != "" && !hangup {
				s.now += KeyTime
				s.fault(FaultHangupInCapture, "the caller pressed %s of %q at prompt %d, then hung up: no VCA event follows", keys[:1], keys, s.prompts)
			} else {
				s.now += overall / 2
				s.fault(FaultHangupInCapture, "the caller hung up while prompt %d waited for keys: no VCA event follows", s.prompts)
			}
			s.callerHangup()
			return "", false
		}
		switch {
		case listening: // heard before the keys
		case s.faults.BargeIn && keys != "" && !hangup && played > BargeInAfter:
			s.hearCut(HeardPrompt, prompt, BargeInAfter)
			s.fault(FaultBargeIn, "the caller pressed %s %s into prompt %d (%s long): the prompt stopped there", keys, BargeInAfter, s.prompts, played)
		default:
			s.hear(HeardPrompt, prompt, played)
		}
		if hangup {
			s.logf(EventCapture, false, "prompt %d/%d: the caller hung up", try, tries)
			s.callerHangup()
			return "", false
		}
		digits, complete := entry(keys, maxD, onHash)
		switch {
		case keys == "":
			s.now += overall
		case complete:
			s.now += KeyTime * time.Duration(len(keys))
		default:
			// Entry ends when no key follows within digitTimeout.
			s.now += KeyTime*time.Duration(len(keys)) + digitWait
		}
		if n := utf8.RuneCountInString(digits); n >= minD && n <= maxD && keys != "" {
			s.logf(EventCapture, false, "prompt %d/%d: pressed %s", try, tries, digits)
			s.callStatus(s.legs[0], callflow.CallStatusDTMFReceived, &digits)
			if p.SuccessMessage.Valid() && p.SuccessMessage.Value != "" {
				s.hear(HeardSuccess, p.SuccessMessage.Value, speech(p.SuccessMessage.Value, p.Speed, callflow.Opt[int]{}))
			}
			return digits, true
		}
		if keys == "" {
			s.logf(EventCapture, false, "prompt %d/%d: no input", try, tries)
		} else {
			s.logf(EventCapture, false, "prompt %d/%d: %q is not %d to %d digits", try, tries, keys, minD, maxD)
		}
		if p.FailureMessage.Valid() && p.FailureMessage.Value != "" {
			s.hear(HeardFailure, p.FailureMessage.Value, speech(p.FailureMessage.Value, p.Speed, callflow.Opt[int]{}))
		}
	}
	return "", false
}

// entry applies the capture's end rules to the keys pressed: with
// completeOnHash, '#' ends the entry (and is not reported); in every case
// the entry ends once maxDigits digits are in, and later keys are lost.
// complete says the entry ended on a key rather than by waiting.
func entry(keys string, maxD int, onHash bool) (string, bool) {
	if onHash {
		if i := strings.IndexByte(keys, '#'); i >= 0 {
			keys = keys[:i]
			if len(keys) <= maxD {
				return keys, true
			}
		}
	}
	if len(keys) >= maxD {
		return keys[:maxD], true
	}
	return keys, false
}

func optInt(o callflow.Opt[int], def int) int {
	if o.Valid() {
		return o.Value
	}
	return def
}

// callAction sends a VCA event and returns the webhook's callflow.
func (s *session) callAction(ctx context.Context, callStatus, cid string, digits *string) ([]callflow.Action, string) {
	w := s.webhook
	if w == nil {
		// Only a webhook's own callflow could get here without one.
		s.fail(ErrorConnectivity, "no VCA webhook configured")
		return nil, ""
	}
	event, err := s.vcaEvent(callStatus, cid, digits)
	if err != nil {
		s.fail(ErrorInternal, "encoding the VCA event: "+err.Error())
		return nil, ""
	}
	if err := ctx.Err(); err != nil {
		s.fail(ErrorConnectivity, "webhook not called: "+context.Cause(ctx).Error())
		return nil, ""
	}
	pressed := ""
	if digits != nil {
		pressed = *digits
	}
	if callStatus != callflow.CallStatusCallReceived {
		s.tr.Pressed = append(s.tr.Pressed, pressed)
	}
	s.tr.WebhookCalls++
	s.recordCall(callStatus, cid, digits)
	sent := time.Now()
	status, body, err := s.postVCA(ctx, w, event)
	if t := traceOf(ctx); t != nil && t.WebhookDone != nil {
		t.WebhookDone(RoundTrip{ClientActionID: cid, Sent: sent, Done: time.Now(), Status: status, Err: err})
	}
	if err == nil && s.faults.DuplicateVCA {
		// Choice (choices.go): the same event again; its answer is played.
		first := status
		status, body, err = s.postVCA(ctx, w, event)
		s.fault(FaultDuplicateVCA, "VCA event %d delivered twice (same eventId); the first answer was HTTP %d, the second one's callflow is played", s.tr.WebhookCalls, first)
	}
	label := "no input"
	if digits != nil {
		label = "dtmf " + *digits
	}
	if callStatus == callflow.CallStatusCallReceived {
		label = "call received"
	}
	if cid != "" {
		label += ", clientActionId " + cid
	}
	switch {
	case err != nil:
		switch {
		case ctx.Err() != nil:
			err = fmt.Errorf("%w (%w)", context.Cause(ctx), err)
		case errors.Is(err, context.DeadlineExceeded):
			s.tr.WebhookFailure = WebhookTimedOut
			err = fmt.Errorf("no answer within %s: %w", s.e.cfg.WebhookTimeout, err)
		case errors.Is(err, syscall.ECONNREFUSED):
			s.tr.WebhookFailure = WebhookRefused
		}
		s.fail(ErrorConnectivity, "webhook failed ("+label+"): "+err.Error())
		return nil, ""
	case status != http.StatusOK:
		s.answered(status, nil)
		s.tr.WebhookStatus = status
		s.fail(ErrorConnectivity, fmt.Sprintf("webhook answered HTTP %d (%s): only 200 carries a callflow", status, label))
		return nil, ""
	}
	resp := s.e.cache.response(body)
	if len(resp.problems) > 0 {
		s.answered(status, nil)
		s.fail(ErrorCallflow, fmt.Sprintf("webhook answer refused (%s): %s", label, resp.problems[0]))
		return nil, ""
	}
	s.answered(status, resp.flow)
	s.logf(EventVCA, false, "%s: answered %s", label, resp.names)
	return resp.flow.Callflow, resp.flow.ClientActionID
}

// postVCA posts one VCA event within the webhook timeout.
func (s *session) postVCA(ctx context.Context, w Webhook, event []byte) (int, []byte, error) {
	s.delivered("VCA")
	wctx, cancel := context.WithTimeout(ctx, s.e.cfg.WebhookTimeout)
	defer cancel()
	return w.CallAction(wctx, event)
}

// vcaEvent builds a VCA event about callA: ACTION_COMPLETED with the
// digits, or an inbound call's CALL_RECEIVED (no digits at all, as 8x8's
// recorded event).
func (s *session) vcaEvent(callStatus, cid string, digits *string) ([]byte, error) {
	a := s.legs[0]
	dtmf := callflow.Null[string]()
	if digits != nil {
		dtmf = callflow.Some(*digits)
	}
	dur := 0
	if a.connected >= 0 {
		dur = seconds(s.now - a.connected)
	}
	if callStatus == callflow.CallStatusCallReceived {
		return json.Marshal(s.receivedEvent(a))
	}
	ev := callflow.VCAEvent{
		Namespace:   callflow.NamespaceVoice,
		EventType:   callflow.EventCallAction,
		Description: "Action request of a call",
		Payload: callflow.VCAPayload{
			EventID:                s.e.cfg.NewID(),
			CallID:                 a.callID,
			SessionID:              s.tr.SessionID,
			SubAccountID:           s.sub,
			CallStatus:             callStatus,
			CallDirection:          a.direction,
			CallType:               "PSTN",
			Source:                 a.source,
			Destination:            a.destination,
			SourceFormat:           "MSISDN",
			DestinationFormat:      "MSISDN",
			SourceCountryCode:      countryCode(a.source),
			DestinationCountryCode: countryCode(a.destination),
			CallDuration:           callflow.FlexNumber(strconv.Itoa(dur)),
			// The digit in both places 8x8's docs name, so a backend
			// written for either shape works.
			EventData:      &callflow.VCAEventData{DTMF: dtmf},
			DTMF:           dtmf,
			SIPCode:        200,
			Timestamp:      s.at(s.now).Format("2006-01-02T15:04:05.000Z"),
			ClientActionID: cid,
		},
	}
	return json.Marshal(&ev)
}

// fail ends the session in ERROR.
func (s *session) fail(code int, why string) {
	s.errCode, s.errMsg = code, ErrorMessage(code)
	s.note(why) // summarize logs it on the END line
	for _, l := range s.legs {
		if l.up() {
			l.disconnected = s.now
			// The Number Masking table: a failed VCA webhook leaves
			// callA in ERROR.
			l.status = callflow.SessionError
		}
	}
	s.ended = true
}

// hangupAll disconnects every leg still up: hangup, the end of the
// callflow, or the caller hanging up.
func (s *session) hangupAll() {
	for _, l := range s.legs {
		if l.up() {
			l.disconnected, l.status = s.now, callflow.SessionCompleted
		}
	}
	s.ended = true
}

// callerHangup ends the session because the caller hung up. Choice:
// lastAction HANGUP, as in 8x8's IVR example of a caller hanging up in
// the menu (COMPLETED, one leg, HANGUP), not the prompt being played.
func (s *session) callerHangup() {
	s.lastAction = callflow.ActionHangup
	s.hangupAll()
}

// end ends a session whose callA never answered.
func (s *session) end() { s.ended = true }

func (s *session) note(msg string) { s.tr.Notes = append(s.tr.Notes, msg) }

// summarize builds the VSS from the legs (the digest's section 5).
func (s *session) summarize() {
	status := callflow.SessionCompleted
	switch {
	case s.errCode != 0:
		status = callflow.SessionError
	case len(s.legs) == 0:
		status = callflow.SessionError // never reached: a request starts with makeCall
	default:
		// callA's status when it did not complete, else callB's.
		for _, l := range s.legs {
			if l.status != callflow.SessionCompleted {
				status = l.status
				break
			}
		}
	}
	p := callflow.VSSPayload{
		SessionID:       s.tr.SessionID,
		SubAccountID:    s.sub,
		SessionStatus:   status,
		StartTime:       s.at(0).Format(time.RFC3339),
		EndTime:         s.at(s.now).Format(time.RFC3339),
		LastAction:      lastActions[s.lastAction],
		CallCount:       len(s.legs),
		ClientRequestID: s.req.ClientRequestID,
		Details:         make(map[string]*callflow.Leg, len(s.legs)),
	}
	if s.errCode != 0 {
		p.ErrorDetails = &callflow.ErrorDetails{ErrorMsg: s.errMsg, ErrorCode: callflow.FlexInt(s.errCode)}
	}
	for i, l := range s.legs {
		s.callStatus(l, callStatusDisconnected, nil)
		out := &callflow.Leg{
			CallID:                 l.callID,
			CallDirection:          l.direction,
			CallType:               "PSTN",
			InitiatedTimestamp:     s.at(l.initiated).Format(time.RFC3339),
			DisconnectedTimestamp:  s.at(l.disconnected).Format(time.RFC3339),
			Source:                 l.source,
			Destination:            l.destination,
			SourceFormat:           "MSISDN",
			DestinationFormat:      "MSISDN",
			SourceCountryCode:      countryCode(l.source),
			DestinationCountryCode: countryCode(l.destination),
			CallStatus:             l.status,
		}
		if l.connected >= 0 {
			out.ConnectedTimestamp = s.at(l.connected).Format(time.RFC3339)
			out.CallDuration = seconds(l.disconnected - l.connected)
		}
		p.Details[legName(i)] = out
	}
	s.tr.Summary = callflow.VSSEvent{
		Namespace:   callflow.NamespaceVoice,
		EventType:   callflow.EventSessionSummary,
		Description: "Summary of a completed call session",
		Version:     5,
		Payload:     p,
	}
	msg := fmt.Sprintf("%s, lastAction %s, %d leg(s), %s virtual, %d webhook call(s)",
		status, p.LastAction, p.CallCount, s.now, s.tr.WebhookCalls)
	if s.errCode != 0 {
		msg = fmt.Sprintf("ERROR %d: %s; lastAction %s, %d leg(s), %s virtual, %d webhook call(s)",
			s.errCode, s.tr.Notes[len(s.tr.Notes)-1], p.LastAction, p.CallCount, s.now, s.tr.WebhookCalls)
	}
	s.logf(EventEnd, status == callflow.SessionError, "%s", msg)
}

func (s *session) logf(kind EventKind, isErr bool, format string, args ...any) {
	if s.e.cfg.OnEvent == nil {
		return
	}
	s.e.emit(Event{Session: s.tr.SessionID, Kind: kind, Error: isErr, Message: fmt.Sprintf(format, args...)})
}

// at is the wall-clock time of a virtual instant, in UTC.
func (s *session) at(d time.Duration) time.Time { return s.start.Add(d).UTC() }

// seconds rounds a duration to whole seconds, as callDuration counts.
func seconds(d time.Duration) int { return int(math.Round(d.Seconds())) }

func legName(i int) string {
	if i == 0 {
		return "callA"
	}
	return "callB"
}

// plus writes a number in E.164 with '+', as 8x8's events do.
func plus(n string) string {
	if n == "" || strings.HasPrefix(n, "+") {
		return n
	}
	return "+" + n
}

// countryCode guesses a number's ISO country from its calling code, for
// the few countries 8x8's examples use; "" otherwise.
func countryCode(n string) string {
	n = strings.TrimPrefix(n, "+")
	for _, c := range countryCodes {
		if strings.HasPrefix(n, c.prefix) {
			return c.iso
		}
	}
	return ""
}

var countryCodes = []struct{ prefix, iso string }{
	{"65", "SG"}, {"63", "PH"}, {"62", "ID"}, {"60", "MY"}, {"61", "AU"}, {"64", "NZ"},
	{"66", "TH"}, {"84", "VN"}, {"852", "HK"}, {"81", "JP"}, {"82", "KR"}, {"86", "CN"},
	{"91", "IN"}, {"44", "GB"}, {"49", "DE"}, {"33", "FR"}, {"1", "US"},
}
