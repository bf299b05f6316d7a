package cmd

import (
	"strconv"

	"github.com/ivrctl/ivrctl/cmd/call"
	"github.com/ivrctl/ivrctl/cmd/campaign"
	"github.com/ivrctl/ivrctl/cmd/cmdutil"
	"github.com/ivrctl/ivrctl/cmd/emulate"
	"github.com/ivrctl/ivrctl/cmd/serve"
	"github.com/ivrctl/ivrctl/cmd/webhookopts"
	"github.com/ivrctl/ivrctl/pkg/connlimit"
	"github.com/ivrctl/ivrctl/pkg/emulator"
	"github.com/ivrctl/ivrctl/pkg/replay"
	"github.com/ivrctl/ivrctl/pkg/webhook"
)

// Settings is every configuration key ivrctl reads, in the order `config
// view` shows them: the one list (no package registers more from init()).
// A key is also a flag's name, the config file's key and, as IVRCTL_ plus
// the key upper-cased with - as _, an environment variable. Flags not
// listed here are still bound (env and file) when the command has them;
// the list adds what `config view` shows for every command, defaults and
// which values are secret.
func Settings() []cmdutil.Key {
	keys := append([]cmdutil.Key(nil), cmdutil.CommonKeys...)
	return append(keys,
		// The webhook server's, shared by serve and call --wait.
		cmdutil.Key{Name: webhookopts.KeyAuthSecret, Secret: true, Help: "serve, call --wait: shared secret 8x8 sends in the auth header (two, comma-separated, while rotating); test, webhooks set: the secret sent, registered"},
		cmdutil.Key{Name: webhookopts.KeyAuthHeader, Default: webhook.DefaultAuthHeader, Help: "serve, call --wait, test: header carrying the shared secret"},
		cmdutil.Key{Name: webhookopts.KeyToken, Secret: true, Help: "serve, call --wait: secret expected in the ?token= query parameter"},
		cmdutil.Key{Name: webhookopts.KeyBasicAuth, Secret: true, Help: "serve, call --wait: HTTP basic credentials, user:pass"},
		cmdutil.Key{Name: webhookopts.KeyAllowIP, Help: "serve, call --wait: client addresses allowed (CIDR or IP, comma-separated)"},
		cmdutil.Key{Name: webhookopts.KeyTrustProxy, Help: "serve, call --wait: take the client address from X-Forwarded-For"},
		cmdutil.Key{Name: webhookopts.KeySessions, Help: "serve, call --wait, sessions: session store, a JSON Lines file or a postgres:// URL"},
		cmdutil.Key{Name: webhookopts.KeyRecord, Help: "serve, call --wait: where to record VCA events and answers: a directory, or an archive file ending in .jsonl"},
		// call's.
		cmdutil.Key{Name: "client-request-id", Help: "call: clientRequestId to tag calls with (auto: a random UUID)"},
		cmdutil.Key{Name: "no-profile-check", Help: "call: skip the voiceProfile check against the sub-account's speech profiles"},
		cmdutil.Key{Name: "timeout", Help: "call: wait for 8x8's answer (default 30s; with --wait the summary, 5m); test: each webhook round trip (5s)"},
		cmdutil.Key{Name: "listen", Default: call.DefaultListen, Help: "call --wait, campaign run: ADDR:PORT to receive 8x8's webhooks on"},
		// campaign's.
		cmdutil.Key{Name: "attempts", Default: "1", Help: "campaign run: calls per number at most, retries included"},
		cmdutil.Key{Name: "retry-after", Default: campaign.DefaultRetryAfter.String(), Help: "campaign run: wait after a retried outcome before calling again"},
		cmdutil.Key{Name: "retry-on", Default: campaign.DefaultRetryOn, Help: "campaign run: outcomes called again (busy, no-answer, failed, canceled, error)"},
		cmdutil.Key{Name: "window", Help: "campaign run: daily window calls are placed in, HH:MM-HH:MM"},
		cmdutil.Key{Name: "tz", Help: "campaign run: time zone of the window (default: the machine's local time)"},
		// emulate's.
		cmdutil.Key{Name: emulate.KeyVCAURL, Help: "emulate: VCA webhook URL the emulated platform posts call actions to"},
		cmdutil.Key{Name: emulate.KeyVSSURL, Help: "emulate: VSS webhook URL session summaries are posted to"},
		cmdutil.Key{Name: emulate.KeyVCSURL, Help: "emulate: VCS webhook URL call-status (CALL_STATUS) events are posted to"},
		cmdutil.Key{Name: emulate.KeyCallers, Help: "emulate: YAML file mapping a dialled number to its caller script"},
		cmdutil.Key{Name: emulate.KeyAnswer, Default: string(emulator.PickupAnswer), Help: "emulate: how the called number picks up: answer, busy, no-answer, fail"},
		cmdutil.Key{Name: emulate.KeyAgentAnswer, Default: string(emulator.PickupAnswer), Help: "emulate: how a bridged (agent) number picks up"},
		cmdutil.Key{Name: emulate.KeyPress, Help: "emulate: keys pressed at successive prompts, comma-separated"},
		cmdutil.Key{Name: emulate.KeyWebhookTimeout, Default: emulator.DefaultWebhookTimeout.String(), Help: "emulate: time limit of one webhook request"},
		cmdutil.Key{Name: emulate.FlagNumbers, Default: emulate.DefaultNumbers, Help: "emulate: virtual numbers the sub-account owns, comma-separated, or any"},
		cmdutil.Key{Name: emulate.FlagProfiles, Help: "emulate: speech profiles: codes comma-separated, a .json file, or any (default: 8x8's documented voices)"},
		// serve's.
		cmdutil.Key{Name: serve.KeyPort, Default: strconv.Itoa(serve.DefaultPort), Help: "serve: port to listen on (0: a free one)"},
		cmdutil.Key{Name: serve.KeyAddr, Default: serve.DefaultAddr, Help: "serve: address to listen on"},
		cmdutil.Key{Name: serve.KeyLogFormat, Default: serve.LogText, Help: "serve: log format, text or json"},
		cmdutil.Key{Name: serve.KeyMetrics, Default: "true", Help: "serve: answer GET /metrics (Prometheus)"},
		cmdutil.Key{Name: serve.KeyWatch, Help: "serve: reload the menu when its file changes"},
		cmdutil.Key{Name: serve.KeyRecordQueue, Default: strconv.Itoa(replay.DefaultQueuePairs), Help: "serve: recordings (--record) waiting for the disk before new ones are dropped"},
		cmdutil.Key{Name: serve.KeyMaxConns, Default: strconv.Itoa(connlimit.DefaultMax), Help: "serve: connections held open at most"},
	)
}
