package callflow

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The session error table as 8x8's VSS page words it (the digest's
// section 5), code by code; a code 8x8 does not list has no message.
func TestSessionErrorMessages(t *testing.T) {
	want := map[int]string{
		-2001: "An internal error has occurred",
		-2002: "An internal connectivity error has occurred",
		-2003: "The call flow provided is invalid",
		-2004: "No coverage available for requested area",
		-2005: "Unable to synthesize text to speech",
		-2006: "Unable to download file for playback",
		-2007: "The validity period of the call flow request has expired",
		-2008: "The provided source MSISDN or caller ID is not whitelisted",
		-2009: "The scenario parameters provided is invalid",
		-2010: "The trunk capacity has been exceeded",
		-9999: "An unknown error has occurred",
	}
	got := map[int]string{}
	for code := -2012; code <= -2000; code++ {
		if m := SessionErrorMessage(code); m != "" {
			got[code] = m
		}
	}
	got[-9999] = SessionErrorMessage(-9999)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("session error messages (-want +got):\n%s", d)
	}
}
