package callflow

import (
	"unicode/utf8"
)

// decodeVCAFast decodes a VCA event without reflection: serve answers every
// webhook turn with one DecodeVCA, and encoding/json spent most of the turn
// there (about 8 µs and 20 allocations for 8x8's 700-byte event; this path
// takes a fraction of that with two or three allocations).
//
// It is exact or it gives up. It handles the shape 8x8 sends (known
// fields with values of their own type, unknown fields of any value,
// strings without escapes) and returns false on anything else: escapes,
// a key that encoding/json would match case-insensitively, a value of the
// wrong type, invalid JSON. The caller then decodes with encoding/json,
// which also words the error. FuzzDecodeVCA checks that whenever this
// returns true, encoding/json decodes the same bytes without error into an
// equal event.
//
// data must already be trimmed of surrounding space, as decodeObject does.
func decodeVCAFast(data []byte, ev *VCAEvent) bool {
	d := fastDecoder{s: string(data)} // one allocation; every decoded string is a substring
	if !d.object(0, d.envelopeField(ev)) {
		return false
	}
	d.space()
	return d.i == len(d.s)
}

// maxFastDepth bounds the nesting of skipped values; deeper input goes to
// encoding/json, which has its own limit.
const maxFastDepth = 64

type fastDecoder struct {
	s string
	i int
}

// fieldFunc decodes the value of one key, or reports false to give up.
type fieldFunc func(key string, depth int) bool

func (d *fastDecoder) space() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *fastDecoder) peek() byte {
	if d.i < len(d.s) {
		return d.s[d.i]
	}
	return 0
}

// object parses {"key": value, ...}, handing each value to field.
func (d *fastDecoder) object(depth int, field fieldFunc) bool {
	d.space()
	if d.peek() != '{' {
		return false
	}
	d.i++
	d.space()
	if d.peek() == '}' {
		d.i++
		return true
	}
	for {
		d.space()
		key, ok := d.key()
		if !ok {
			return false
		}
		d.space()
		if d.peek() != ':' {
			return false
		}
		d.i++
		d.space()
		if !field(key, depth+1) {
			return false
		}
		d.space()
		switch d.peek() {
		case ',':
			d.i++
		case '}':
			d.i++
			return true
		default:
			return false
		}
	}
}

// key reads an object key made of printable ASCII without escapes; any
// other key could decode to, or fold into, a known field name.
func (d *fastDecoder) key() (string, bool) {
	if d.peek() != '"' {
		return "", false
	}
	start := d.i + 1
	for j := start; j < len(d.s); j++ {
		c := d.s[j]
		switch {
		case c == '"':
			d.i = j + 1
			return d.s[start:j], true
		case c == '\\' || c < 0x20 || c >= 0x80:
			return "", false
		}
	}
	return "", false
}

// str reads a string value without escapes. Valid UTF-8 is kept as is,
// as encoding/json does; anything it would rewrite makes us give up.
func (d *fastDecoder) str() (string, bool) {
	if d.peek() != '"' {
		return "", false
	}
	start := d.i + 1
	high := false
	for j := start; j < len(d.s); j++ {
		c := d.s[j]
		switch {
		case c == '"':
			v := d.s[start:j]
			if high && !utf8.ValidString(v) {
				return "", false
			}
			d.i = j + 1
			return v, true
		case c == '\\' || c < 0x20:
			return "", false
		case c >= 0x80:
			high = true
		}
	}
	return "", false
}

// null consumes a null literal.
func (d *fastDecoder) null() bool {
	if len(d.s)-d.i >= 4 && d.s[d.i:d.i+4] == "null" {
		d.i += 4
		return true
	}
	return false
}

// setString decodes into a string field: null leaves it alone, as
// encoding/json does.
func (d *fastDecoder) setString(dst *string) bool {
	if d.peek() == 'n' {
		return d.null()
	}
	v, ok := d.str()
	if ok {
		*dst = v
	}
	return ok
}

// setOpt decodes into an Opt[string], keeping null apart from absent.
func (d *fastDecoder) setOpt(dst *Opt[string]) bool {
	if d.peek() == 'n' {
		if !d.null() {
			return false
		}
		*dst = Null[string]()
		return true
	}
	v, ok := d.str()
	if ok {
		*dst = Some(v)
	}
	return ok
}

// number reads a JSON number literal and reports whether it is a plain
// integer (no fraction, no exponent).
func (d *fastDecoder) number() (lit string, integer, ok bool) {
	start := d.i
	j := d.i
	if j < len(d.s) && d.s[j] == '-' {
		j++
	}
	switch {
	case j < len(d.s) && d.s[j] == '0':
		j++
	case j < len(d.s) && d.s[j] >= '1' && d.s[j] <= '9':
		for j < len(d.s) && d.s[j] >= '0' && d.s[j] <= '9' {
			j++
		}
	default:
		return "", false, false
	}
	integer = true
	if j < len(d.s) && d.s[j] == '.' {
		integer = false
		j++
		k := j
		for j < len(d.s) && d.s[j] >= '0' && d.s[j] <= '9' {
			j++
		}
		if j == k {
			return "", false, false
		}
	}
	if j < len(d.s) && (d.s[j] == 'e' || d.s[j] == 'E') {
		integer = false
		j++
		if j < len(d.s) && (d.s[j] == '+' || d.s[j] == '-') {
			j++
		}
		k := j
		for j < len(d.s) && d.s[j] >= '0' && d.s[j] <= '9' {
			j++
		}
		if j == k {
			return "", false, false
		}
	}
	d.i = j
	return d.s[start:j], integer, true
}

// setInt decodes a small integer (at most 9 digits, so no overflow to
// think about); anything else goes to encoding/json.
func (d *fastDecoder) setInt(dst *int) bool {
	if d.peek() == 'n' {
		return d.null()
	}
	lit, integer, ok := d.number()
	if !ok || !integer {
		return false
	}
	neg := lit[0] == '-'
	digits := lit
	if neg {
		digits = lit[1:]
	}
	if len(digits) > 9 {
		return false
	}
	n := 0
	for k := 0; k < len(digits); k++ {
		n = n*10 + int(digits[k]-'0')
	}
	if neg {
		n = -n
	}
	*dst = n
	return true
}

// skip consumes any JSON value, checking it is valid.
func (d *fastDecoder) skip(depth int) bool {
	if depth > maxFastDepth {
		return false
	}
	switch c := d.peek(); {
	case c == '{':
		return d.object(depth, func(_ string, depth int) bool { return d.skip(depth) })
	case c == '[':
		d.i++
		d.space()
		if d.peek() == ']' {
			d.i++
			return true
		}
		for {
			d.space()
			if !d.skip(depth + 1) {
				return false
			}
			d.space()
			switch d.peek() {
			case ',':
				d.i++
			case ']':
				d.i++
				return true
			default:
				return false
			}
		}
	case c == '"':
		return d.skipString()
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.null()
	default:
		_, _, ok := d.number()
		return ok
	}
}

func (d *fastDecoder) literal(lit string) bool {
	if len(d.s)-d.i >= len(lit) && d.s[d.i:d.i+len(lit)] == lit {
		d.i += len(lit)
		return true
	}
	return false
}

// skipString consumes a string of any content, checking its escapes the
// way encoding/json's scanner does (which accepts invalid UTF-8).
func (d *fastDecoder) skipString() bool {
	for j := d.i + 1; j < len(d.s); j++ {
		switch c := d.s[j]; {
		case c == '"':
			d.i = j + 1
			return true
		case c < 0x20:
			return false
		case c == '\\':
			j++
			if j >= len(d.s) {
				return false
			}
			switch d.s[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(d.s) {
					return false
				}
				for k := j + 1; k <= j+4; k++ {
					if !isHex(d.s[k]) {
						return false
					}
				}
				j += 4
			default:
				return false
			}
		}
	}
	return false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// unknown skips the value of a key no field is named after, unless
// encoding/json would match the key to a field case-insensitively.
func (d *fastDecoder) unknown(key string, depth int, fields ...string) bool {
	for _, f := range fields {
		if equalFoldASCII(key, f) {
			return false
		}
	}
	return d.skip(depth)
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for k := 0; k < len(a); k++ {
		x, y := a[k], b[k]
		if x >= 'A' && x <= 'Z' {
			x += 'a' - 'A'
		}
		if y >= 'A' && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

var envelopeFields = []string{"namespace", "eventType", "description", "payload"}

func (d *fastDecoder) envelopeField(ev *VCAEvent) fieldFunc {
	payload := d.payloadField(&ev.Payload)
	return func(key string, depth int) bool {
		switch key {
		case "namespace":
			return d.setString(&ev.Namespace)
		case "eventType":
			return d.setString(&ev.EventType)
		case "description":
			return d.setString(&ev.Description)
		case "payload":
			if d.peek() == 'n' {
				return d.null() // null leaves a struct alone
			}
			return d.object(depth, payload)
		}
		return d.unknown(key, depth, envelopeFields...)
	}
}

var payloadFields = []string{
	"eventId", "callId", "sessionId", "subAccountId", "callStatus", "callDirection", "callType",
	"source", "destination", "sourceFormat", "destinationFormat", "sourceCountryCode",
	"destinationCountryCode", "sourceRefId", "destinationRefId", "callDuration", "eventData",
	"dtmf", "sipCode", "timestamp", "clientActionId",
}

func (d *fastDecoder) payloadField(p *VCAPayload) fieldFunc {
	return func(key string, depth int) bool {
		switch key {
		case "eventId":
			return d.setString(&p.EventID)
		case "callId":
			return d.setString(&p.CallID)
		case "sessionId":
			return d.setString(&p.SessionID)
		case "subAccountId":
			return d.setString(&p.SubAccountID)
		case "callStatus":
			return d.setString(&p.CallStatus)
		case "callDirection":
			return d.setString(&p.CallDirection)
		case "callType":
			return d.setString(&p.CallType)
		case "source":
			return d.setString(&p.Source)
		case "destination":
			return d.setString(&p.Destination)
		case "sourceFormat":
			return d.setString(&p.SourceFormat)
		case "destinationFormat":
			return d.setString(&p.DestinationFormat)
		case "sourceCountryCode":
			return d.setString(&p.SourceCountryCode)
		case "destinationCountryCode":
			return d.setString(&p.DestinationCountryCode)
		case "timestamp":
			return d.setString(&p.Timestamp)
		case "clientActionId":
			return d.setString(&p.ClientActionID)
		case "sourceRefId":
			return d.setOpt(&p.SourceRefID)
		case "destinationRefId":
			return d.setOpt(&p.DestinationRefID)
		case "dtmf":
			return d.setOpt(&p.DTMF)
		case "sipCode":
			return d.setInt(&p.SIPCode)
		case "callDuration":
			if d.peek() == 'n' {
				return d.null()
			}
			lit, _, ok := d.number() // a string holding a number goes to encoding/json
			if ok {
				p.CallDuration = FlexNumber(lit)
			}
			return ok
		case "eventData":
			if d.peek() == 'n' {
				if !d.null() {
					return false
				}
				p.EventData = nil // null sets a pointer to nil
				return true
			}
			if p.EventData == nil { // a repeated key decodes into the same struct
				p.EventData = new(VCAEventData)
			}
			ed := p.EventData
			return d.object(depth, func(key string, depth int) bool {
				if key == "dtmf" {
					return d.setOpt(&ed.DTMF)
				}
				return d.unknown(key, depth, "dtmf")
			})
		}
		return d.unknown(key, depth, payloadFields...)
	}
}
