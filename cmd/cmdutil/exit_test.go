package cmdutil

import (
	"errors"
	"fmt"
	"testing"
)

func TestRedactError(t *testing.T) {
	t.Parallel()
	const secret = "sk-live-secret-WXYZ"
	err := &ExitError{Code: ExitRejected, Err: fmt.Errorf("8x8 said: bad key Bearer %s", secret), Hint: "not " + secret}
	got := RedactError(fmt.Errorf("list numbers: %w", err), secret)
	if got.Error() != "list numbers: 8x8 said: bad key Bearer ********WXYZ" || ExitCode(got) != ExitRejected {
		t.Errorf("got %q, exit %d", got, ExitCode(got))
	}
	var ee *ExitError
	if !errors.As(got, &ee) || ee.Hint != "not ********WXYZ" {
		t.Errorf("hint not masked: %+v", ee)
	}
	plain := errors.New("nothing secret")
	if RedactError(plain, secret) != plain || RedactError(nil, secret) != nil {
		t.Error("an error without the secret is returned as is")
	}
	silent := &SilentError{Code: 1}
	if RedactError(silent, secret) != silent {
		t.Error("a SilentError is returned as is")
	}
	short := errors.New("key abc")
	if RedactError(short, "abc") != short {
		t.Error("a secret under 4 bytes is left alone")
	}
}
