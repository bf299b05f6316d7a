package menu

import (
	"strings"
	"testing"
)

// A file that is text, not a YAML mapping (a credentials file, a .env
// line), is refused without quoting it: a scenario's call.menu can name
// any file, and the error lands in CI logs.
func TestParseTextFileNotQuoted(t *testing.T) {
	for _, data := range []string{
		"https://user:ghp_TOKEN0123456789@github.com\n",
		"export IVRCTL_AUTH_SECRET=shh-SECRET-0123456789\n",
		"multi line\nghp_TOKEN0123456789 text\n",
	} {
		_, err := Parse("creds", []byte(data))
		if err == nil {
			t.Fatalf("Parse(%q) accepted it", data)
		}
		if strings.Contains(err.Error(), "0123456789") {
			t.Errorf("the error quotes the file: %v", err)
		}
		want := "creds:1: expected a menu (a mapping with start and menus), found text: is creds a menu file?"
		if err.Error() != want {
			t.Errorf("Parse(%q):\n got %v\nwant %s", data, err, want)
		}
	}
}
