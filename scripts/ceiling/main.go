// Command ceiling is the yardstick of scripts/bench-serve.sh: the least a
// net/http server can do for a VCA webhook. It decodes the event with
// encoding/json into a plain struct of the fields 8x8 sends and writes a
// fixed callflow (the simple IVR's retry answer), with no routing beyond
// one path, no auth, no logging. `ivrctl serve` is measured against it.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

type event struct {
	Namespace   string `json:"namespace"`
	EventType   string `json:"eventType"`
	Description string `json:"description"`
	Payload     struct {
		EventID                string      `json:"eventId"`
		CallID                 string      `json:"callId"`
		SessionID              string      `json:"sessionId"`
		SubAccountID           string      `json:"subAccountId"`
		CallStatus             string      `json:"callStatus"`
		CallDirection          string      `json:"callDirection"`
		CallType               string      `json:"callType"`
		Source                 string      `json:"source"`
		Destination            string      `json:"destination"`
		SourceFormat           string      `json:"sourceFormat"`
		DestinationFormat      string      `json:"destinationFormat"`
		SourceCountryCode      string      `json:"sourceCountryCode"`
		DestinationCountryCode string      `json:"destinationCountryCode"`
		SourceRefID            *string     `json:"sourceRefId"`
		DestinationRefID       *string     `json:"destinationRefId"`
		CallDuration           json.Number `json:"callDuration"`
		EventData              *struct {
			DTMF *string `json:"dtmf"`
		} `json:"eventData"`
		DTMF           *string `json:"dtmf"`
		SIPCode        int     `json:"sipCode"`
		Timestamp      string  `json:"timestamp"`
		ClientActionID string  `json:"clientActionId"`
	} `json:"payload"`
}

var answer = []byte(`{"callflow":[{"action":"sayAndCapture","params":{"promptMessage":"Sorry, we did not understand your response. If you have resolved your issue already, press one. Or press two to speak to an agent.","voiceProfile":"en-US-BenjaminRUS","repetition":1,"speed":1,"minDigits":1,"maxDigits":1,"digitTimeout":10000,"overallTimeout":10000,"completeOnHash":false,"noOfTries":2,"successMessage":null,"failureMessage":"Invalid input, please try again"}}]}`)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	flag.Parse()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /webhooks/vca", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var ev event
		if err := json.Unmarshal(body, &ev); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(answer)
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ceiling:", err)
		os.Exit(1)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, "ceiling:", err)
		os.Exit(1)
	}
}
