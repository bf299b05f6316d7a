package cmd

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/ivrctl/ivrctl/cmd/cmdutil"
)

// The docs-command check: every command the README and docs/ show is run by
// a testdata/script/*.txtar script (TestScripts in ivrctl_test.go runs them
// against the real binary), so an example cannot drift from what ivrctl
// does. The rules are written down in docs/README.md.

// readmeLimit is the front page's budget; the manual lives in docs/.
const readmeLimit = 12000

// docCommand is one ivrctl command shown in a doc: its words, unquoted as
// a shell would, and where it is written.
type docCommand struct {
	args  []string
	where string // file:line
}

func (c docCommand) String() string { return strings.Join(c.args, " ") }

// notRun marks a doc line the check skips: a command that cannot run in a
// test (a real phone, a path on the reader's machine). Use sparingly.
const notRun = "# not run:"

// TestReadmeSize keeps README.md a front page.
func TestReadmeSize(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > readmeLimit {
		t.Errorf("README.md is %d bytes, over its %d: move the detail to a guide in docs/", len(b), readmeLimit)
	}
}

// TestDocCommandsRun requires every `$ ivrctl ...` example in a fenced
// block of README.md or docs/**/*.md, and the README's first set-up line,
// to be an exec, ! exec or exits line of some script.
func TestDocCommandsRun(t *testing.T) {
	root := ".."
	ran, err := scriptCommands(filepath.Join(root, "testdata", "script"))
	if err != nil {
		t.Fatal(err)
	}
	docs, err := docFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	var shown []docCommand
	for _, f := range docs {
		cmds, err := docCommands(root, f)
		if err != nil {
			t.Fatal(err)
		}
		shown = append(shown, cmds...)
	}
	setup, err := readmeSetup(root)
	if err != nil {
		t.Fatal(err)
	}
	// The first set-up line builds and runs the main job: a script runs it
	// in the repository. The second, `go test ./...`, is the command that
	// runs this check, so it is not run again from inside itself.
	if want := []string{"go run . simulate testdata/", "go test ./..."}; !slices.Equal(setup.lines, want) {
		t.Errorf("README.md's first code block must be the two set-up lines %q (CI reads them), found %q", want, setup.lines)
	}
	shown = append(shown, setup.commands...)
	if len(shown) < 20 {
		t.Fatalf("found only %d doc commands: is the extraction broken?", len(shown))
	}
	var missing []string
	for _, c := range shown {
		if !ran[c.String()] {
			missing = append(missing, fmt.Sprintf("%s: %s", c.where, c))
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d command(s) shown in the docs are run by no testdata/script/*.txtar script "+
			"(add an exec, ! exec or exits line with the same arguments, e.g. to a docs-*.txtar; see docs/README.md):\n  %s",
			len(missing), strings.Join(missing, "\n  "))
	}
}

// TestDocLinks: every relative link in README.md and docs/ names a file
// that exists and, with #anchor, a heading of that file (GitHub's slugs),
// so moving a section cannot strand its links.
func TestDocLinks(t *testing.T) {
	root := ".."
	docs, err := docFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range docs {
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		for _, link := range markdownLinks(string(b)) {
			if strings.Contains(link, "://") || strings.HasPrefix(link, "mailto:") {
				continue
			}
			file, anchor, _ := strings.Cut(link, "#")
			target := filepath.Join(root, name)
			if file != "" {
				target = filepath.Join(root, filepath.Dir(name), file)
			}
			if _, err := os.Stat(target); err != nil {
				t.Errorf("%s: link %q: %v", name, link, err)
				continue
			}
			if anchor == "" || !strings.HasSuffix(target, ".md") {
				continue
			}
			md, err := os.ReadFile(target)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(headingSlugs(string(md)), anchor) {
				t.Errorf("%s: link %q: no heading with that anchor in %s", name, link, file)
			}
		}
	}
}

var linkRE = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// markdownLinks are the targets of [text](target) outside fenced blocks.
func markdownLinks(md string) []string {
	var links []string
	inFence := false
	for line := range strings.SplitSeq(md, "\n") {
		if fenceRE.MatchString(line) {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		for _, m := range linkRE.FindAllStringSubmatch(line, -1) {
			links = append(links, m[1])
		}
	}
	return links
}

// headingSlugs are the anchors GitHub gives a file's headings: lower case,
// punctuation but - and _ dropped, spaces as -.
func headingSlugs(md string) []string {
	var slugs []string
	inFence := false
	for line := range strings.SplitSeq(md, "\n") {
		if fenceRE.MatchString(line) {
			inFence = !inFence
			continue
		}
		if inFence || !strings.HasPrefix(line, "#") {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(strings.TrimSpace(strings.TrimLeft(line, "#"))) {
			switch {
			case r == ' ':
				b.WriteByte('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		slugs = append(slugs, b.String())
	}
	return slugs
}

// TestHintCommandsRun: the commands cmdutil.EmulateHint tells a user with
// no account to try run in a script too (docs-ports.txtar).
func TestHintCommandsRun(t *testing.T) {
	ran, err := scriptCommands(filepath.Join("..", "testdata", "script"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for line := range strings.SplitSeq(cmdutil.EmulateHint, "\n") {
		for _, c := range shellCommands(strings.TrimSpace(line), "cmdutil.EmulateHint") {
			n++
			if !ran[c.String()] {
				t.Errorf("the hint's command %q is run by no testdata/script/*.txtar script", c)
			}
		}
	}
	if n != 2 {
		t.Errorf("found %d commands in cmdutil.EmulateHint, want 2 (emulate, then call)", n)
	}
}

// TestDocCommandExtraction pins what counts as a shown command.
func TestDocCommandExtraction(t *testing.T) {
	for _, tc := range []struct {
		line string
		want []string
	}{
		{"$ ivrctl simulate testdata/dtmf3.json", []string{"ivrctl simulate testdata/dtmf3.json"}},
		{`$ ivrctl numbers check "+65 6111 5777"`, []string{"ivrctl numbers check +65 6111 5777"}},
		{"$ ivrctl serve --port 8080 &     # checks the secret", []string{"ivrctl serve --port 8080"}},
		{"$ (umask 077; ivrctl webhooks set --vca https://x/vca --auth-secret generate > ivr.env)   # yours", []string{"ivrctl webhooks set --vca https://x/vca --auth-secret generate"}},
		{"$ . ./ivr.env && ivrctl serve --port 8080 &", []string{"ivrctl serve --port 8080"}},
		{"$ IVRCTL_AUTH_SECRET=s ivrctl serve --trust-proxy", []string{"ivrctl serve --trust-proxy"}},
		{"$ ivrctl call --to 1 --wait -o json | jq -r 'select(.type==\"outcome\")'", []string{"ivrctl call --to 1 --wait -o json"}},
		{"$ ivrctl completion bash > ~/.local/x 2>/dev/null", []string{"ivrctl completion bash"}},
		{"$ export IVRCTL_API_KEY=test-key", nil},
		{"$ man ./man/ivrctl.1", nil},
		{"$ ivrctl call --to 6512345678 # not run: rings a real phone", nil},
	} {
		var got []string
		for _, c := range shellCommands(strings.TrimPrefix(tc.line, "$ "), "x") {
			got = append(got, c.String())
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s:\n got  %q\n want %q", tc.line, got, tc.want)
		}
	}
}

// docFiles is README.md and every Markdown file under docs/.
func docFiles(root string) ([]string, error) {
	files := []string{"README.md"}
	err := filepath.WalkDir(filepath.Join(root, "docs"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".md") {
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			files = append(files, rel)
		}
		return nil
	})
	return files, err
}

var fenceRE = regexp.MustCompile("^\\s*(```|~~~)")

// docCommands are the ivrctl commands on the `$ ` lines of name's fenced
// blocks, continuation lines (a trailing \) joined.
func docCommands(root, name string) ([]docCommand, error) {
	f, err := os.Open(filepath.Join(root, name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var cmds []docCommand
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	inFence, n := false, 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if fenceRE.MatchString(line) {
			inFence = !inFence
			continue
		}
		if !inFence {
			continue
		}
		text, ok := strings.CutPrefix(strings.TrimSpace(line), "$ ")
		if !ok {
			continue
		}
		start := n
		for strings.HasSuffix(text, `\`) && sc.Scan() {
			n++
			text = strings.TrimSuffix(text, `\`) + " " + strings.TrimSpace(sc.Text())
		}
		cmds = append(cmds, shellCommands(text, fmt.Sprintf("%s:%d", name, start))...)
	}
	return cmds, sc.Err()
}

type readmeSetupLines struct {
	lines    []string     // the first code block's commands, comments dropped
	commands []docCommand // those a script must run
}

// readmeSetup reads the set-up lines: the README's first fenced block.
func readmeSetup(root string) (readmeSetupLines, error) {
	var s readmeSetupLines
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		return s, err
	}
	inFence := false
	for i, line := range strings.Split(string(b), "\n") {
		if fenceRE.MatchString(line) {
			if inFence {
				break
			}
			inFence = true
			continue
		}
		if !inFence {
			continue
		}
		text, _, _ := strings.Cut(line, "#")
		text = strings.Join(strings.Fields(text), " ")
		if text == "" {
			continue
		}
		s.lines = append(s.lines, text)
		if text != "go test ./..." {
			s.commands = append(s.commands, docCommand{args: strings.Fields(text), where: fmt.Sprintf("README.md:%d", i+1)})
		}
	}
	return s, nil
}

// shellCommands splits one shell command line into its simple commands
// (at ;, &&, ||, |, &, parentheses) and keeps those that run ivrctl, with
// environment assignments before it, redirections and a comment dropped,
// and each word unquoted. A line marked `# not run:` gives none.
func shellCommands(line, where string) []docCommand {
	if strings.Contains(line, notRun) {
		return nil
	}
	var cmds []docCommand
	var words []string
	var word strings.Builder
	inWord := false
	end := func() {
		if inWord {
			words = append(words, word.String())
			word.Reset()
			inWord = false
		}
	}
	flush := func() {
		end()
		if c, ok := ivrctlCommand(words); ok {
			cmds = append(cmds, docCommand{args: c, where: where})
		}
		words = nil
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				j = len(line) - i - 1
			}
			word.WriteString(line[i+1 : i+1+j])
			inWord = true
			i += j + 1
		case c == '"':
			i++
			for ; i < len(line) && line[i] != '"'; i++ {
				if line[i] == '\\' && i+1 < len(line) {
					i++
				}
				word.WriteByte(line[i])
			}
			inWord = true
		case c == '\\' && i+1 < len(line):
			i++
			word.WriteByte(line[i])
			inWord = true
		case c == ' ' || c == '\t':
			end()
		case c == '#' && !inWord:
			flush()
			return cmds
		case c == ';' || c == '&' || c == '|' || c == '(' || c == ')':
			flush()
		case c == '>' || c == '<':
			// A redirection: drop it and its target (2>, >>, > file).
			if inWord && strings.Trim(word.String(), "0123456789") == "" {
				word.Reset()
				inWord = false
			}
			end()
			for i+1 < len(line) && (line[i+1] == '>' || line[i+1] == '&') {
				i++
			}
			for i+1 < len(line) && line[i+1] == ' ' {
				i++
			}
			for i+1 < len(line) && line[i+1] != ' ' && !strings.ContainsRune(";&|()", rune(line[i+1])) {
				i++
			}
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	flush()
	return cmds
}

var assignRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// ivrctlCommand is words without leading VAR=value assignments, when what
// remains runs ivrctl.
func ivrctlCommand(words []string) ([]string, bool) {
	for len(words) > 0 && assignRE.MatchString(words[0]) {
		words = words[1:]
	}
	if len(words) == 0 || words[0] != "ivrctl" {
		return nil, false
	}
	return words, true
}

// docPorts turns the free ports scripts listen on back into the ones the
// docs show (TestScripts sets SERVE_PORT and EMULATE_PORT).
var docPorts = strings.NewReplacer("$SERVE_PORT", "8080", "$EMULATE_PORT", "9090")

// scriptCommands is every command the scripts in dir run with exec, ! exec
// or exits, as words joined by one space: the set doc commands must be in.
func scriptCommands(dir string) (map[string]bool, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.txtar"))
	if err != nil {
		return nil, err
	}
	ran := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for line := range strings.SplitSeq(string(b), "\n") {
			if strings.HasPrefix(line, "-- ") && strings.HasSuffix(line, " --") {
				break // the script ends where the archive's files begin
			}
			if args := scriptExec(line); args != nil {
				ran[docPorts.Replace(strings.Join(args, " "))] = true
			}
		}
	}
	return ran, nil
}

// scriptExec is the command a script line runs, or nil: `exec PROG ARGS`,
// `! exec ...`, `exits CODE ...`, after any [condition]s, with a trailing
// & or &name& dropped. Words are parsed as testscript parses them (single
// quotes, a doubled quote inside them, # a comment), without expanding
// variables.
func scriptExec(line string) []string {
	words := scriptWords(line)
	for len(words) > 0 && strings.HasPrefix(words[0], "[") {
		words = words[1:]
	}
	if len(words) > 0 && words[0] == "!" {
		words = words[1:]
	}
	switch {
	case len(words) > 1 && words[0] == "exec":
		words = words[1:]
	case len(words) > 2 && words[0] == "exits":
		words = words[2:]
	default:
		return nil
	}
	if last := words[len(words)-1]; last == "&" || (len(last) > 2 && strings.HasPrefix(last, "&") && strings.HasSuffix(last, "&")) {
		words = words[:len(words)-1]
	}
	return words
}

func scriptWords(line string) []string {
	var words []string
	var word strings.Builder
	inWord, quoted := false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quoted && c == '\'' && i+1 < len(line) && line[i+1] == '\'':
			word.WriteByte('\'')
			i++
		case c == '\'':
			quoted = !quoted
			inWord = true
		case !quoted && (c == ' ' || c == '\t' || c == '\r' || c == '#'):
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
			if c == '#' {
				return words
			}
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, word.String())
	}
	return words
}
