package cmdutil

import (
	"strconv"
	"unicode/utf8"
)

// TerminalSafe makes text that came from outside (a webhook's sessionId,
// clientActionId or errorMsg) safe to print on a terminal: a newline would
// forge an output line, an escape sequence would drive the reader's
// terminal. Text holding a control character (or anything not printable)
// is returned Go-quoted, escapes visible; the usual text, printable ASCII,
// is returned as it is, without allocating. keepTabs lets tabs through,
// for text whose tabs are layout (a stack trace).
func TerminalSafe(s string, keepTabs bool) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\t' && keepTabs:
		case c < 0x20 || c == 0x7f:
			return strconv.Quote(s)
		case c >= utf8.RuneSelf:
			// C1 controls (U+009B is a CSI), invalid UTF-8, other
			// invisibles: quote unless every rune is printable.
			for _, r := range s[i:] {
				if r == utf8.RuneError || !strconv.IsPrint(r) && !(r == '\t' && keepTabs) {
					return strconv.Quote(s)
				}
			}
			return s
		}
	}
	return s
}
