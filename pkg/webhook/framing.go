package webhook

import "net/http"

// closeAfterChunked answers a request sent with Transfer-Encoding and then
// closes its connection (RFC 9112 §6.1): a request carrying both
// Content-Length and Transfer-Encoding may be framed differently by a
// proxy in front of serve, and whatever follows it on the connection
// could be a smuggled request.
//
// Choice: every request with Transfer-Encoding, not only those that also
// carry Content-Length. Go's parser drops Content-Length when
// Transfer-Encoding is present, so a handler cannot tell the two apart;
// 8x8 sends Content-Length, and an honest chunked client pays one new
// connection.
func closeAfterChunked(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.TransferEncoding) > 0 {
			w.Header().Set("Connection", "close")
		}
		next.ServeHTTP(w, r)
	})
}
