package callflow

import (
	"encoding/json"
	"regexp"
	"strings"
	"sync"
)

// The wire types of 8x8's account endpoints: the sub-account's webhooks,
// speech profiles and virtual numbers. The client (pkg/voiceapi) decodes
// them and the emulator (pkg/emulator) encodes them, so both speak one
// shape: a field 8x8 documents is added here, once.

// Webhook types 8x8's Webhooks API knows. Create takes all five; delete
// takes every one but VNU.
const (
	WebhookVCA = "VCA" // Voice Call Action: the menu's next callflow
	WebhookVSS = "VSS" // Voice Session Summary
	WebhookVCS = "VCS" // Voice Call Status
	WebhookVRU = "VRU" // Voice Recording Upload
	WebhookVNU = "VNU" // Virtual Number Update
)

// WebhookTypes are the types create accepts, in 8x8's order.
var WebhookTypes = []string{WebhookVCA, WebhookVSS, WebhookVCS, WebhookVRU, WebhookVNU}

// DeleteWebhookTypes are the types delete accepts: all but VNU.
var DeleteWebhookTypes = []string{WebhookVCA, WebhookVSS, WebhookVCS, WebhookVRU}

// Webhook is one registered webhook, as listed. The auth header's value is
// never read back: only whether one is set.
type Webhook struct {
	Type                    string `json:"type"`
	URL                     string `json:"url"`
	Enabled                 bool   `json:"enabled"`
	HTTPAuthHeaderAvailable bool   `json:"httpAuthHeaderAvailable"`
}

// NewWebhook is the body of a create request.
type NewWebhook struct {
	Type string `json:"type"`
	URL  string `json:"url"`
	// HTTPAuthHeader is the secret 8x8 sends with every delivery; empty
	// for none.
	HTTPAuthHeader string `json:"httpAuthHeader,omitempty"`
	// Enabled is sent explicitly: the spec's field (its default is true);
	// the guides' "active" is not in the spec.
	Enabled bool `json:"enabled"`
}

// WebhookList is the answer of list and create.
type WebhookList struct {
	SubAccountID string    `json:"subAccountId"`
	Count        int       `json:"count"`
	Webhooks     []Webhook `json:"webhooks"`
}

// DeletedWebhook is the answer of delete: the webhook as it was.
type DeletedWebhook struct {
	SubAccountID string `json:"subAccountId"`
	Webhook
}

// SpeechProfile is one voice of GET .../speech-profiles; Code is what
// callflows give as voiceProfile.
type SpeechProfile struct {
	Code              string `json:"speechProfileCode"`
	Locale            string `json:"localeCode"`
	LocaleDescription string `json:"localeDescription"`
	Gender            string `json:"gender"`
}

// VirtualNumber is one number of GET .../numbers, with every field 8x8
// documents. Prices stay json.Number so that 8x8's figures are shown as
// sent; NumberHealth is nil when 8x8 sent none.
type VirtualNumber struct {
	MSISDN                   string        `json:"msisdn"`
	CountryCode              string        `json:"countryCode,omitempty"`
	OperationalStatus        string        `json:"operationalStatus,omitempty"`
	ReferenceID              string        `json:"referenceId,omitempty"`
	NumberType               string        `json:"numberType,omitempty"`
	DateCreated              string        `json:"dateCreated,omitempty"`
	DateUpdated              string        `json:"dateUpdated,omitempty"`
	URI                      string        `json:"uri,omitempty"`
	RentalPrice              json.Number   `json:"rentalPrice,omitempty"`
	IncomingRate             json.Number   `json:"incomingRate,omitempty"`
	BillingUnit              string        `json:"billingUnit,omitempty"`
	BillingCurrency          string        `json:"billingCurrency,omitempty"`
	NumberHealthCheckEnabled bool          `json:"numberHealthCheckEnabled,omitempty"`
	NumberHealth             *NumberHealth `json:"numberHealth,omitempty"`
}

// NumberHealth is 8x8's last health check of a number.
type NumberHealth struct {
	IsHealthy       bool   `json:"isHealthy"`
	Status          string `json:"status,omitempty"`
	LastCheckedTime string `json:"lastCheckedTime,omitempty"`
}

// NumberInfo is the payload of the single-number endpoint: ReferenceID is
// what VCA and VSS events report as sourceRefId/destinationRefId.
type NumberInfo struct {
	ReferenceID string `json:"referenceId"`
	MSISDN      string `json:"msisdn"`
	CountryCode string `json:"countryCode"`
}

// Compiled on first use, as every pattern here: the bounded repetition of
// subaccountRe alone made ~730 allocations at the start of every command,
// `ivrctl --version` included.
var (
	// subaccountRe is 8x8's pattern for subAccountId (every endpoint's path).
	subaccountRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9\-._&]{3,50}$`) })
	// numberPathRe is 8x8's pattern for the {number} of GET .../numbers/{number}.
	numberPathRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{7,10}$`) })
)

// ValidSubaccount reports whether id matches 8x8's subAccountId pattern.
func ValidSubaccount(id string) bool { return subaccountRe().MatchString(id) }

// NumberLookupable reports whether a number (digits only, no '+') fits the
// single-number endpoint's pattern; longer ones must be looked up in the list.
func NumberLookupable(digits string) bool { return numberPathRe().MatchString(digits) }

// NormalizeNumber drops the separators people write in numbers
// ("+65 1234-5678", "(651) 234.5678"); 8x8 wants bare E.164 digits. What
// is left is not checked: IsPhoneNumber judges it.
func NormalizeNumber(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '(', ')', '.', '\t':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

// Digits keeps only the digits of a phone number: "+65 6111-5777" is
// "6561115777", so numbers compare whatever their spelling.
func Digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// SameNumber compares phone numbers as 8x8 does: with or without the '+'
// (+6512345678 and 6512345678 ring the same phone).
func SameNumber(a, b string) bool { return NumberKey(a) == NumberKey(b) }

// NumberKey is the form under which numbers that ring the same phone are
// equal: the number without its '+'.
func NumberKey(n string) string { return strings.TrimPrefix(n, "+") }
