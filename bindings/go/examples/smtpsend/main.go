// smtpsend checks a message with presend, then sends it over SMTP to the
// recipients presend allows, and only to them. When the send fails, it
// releases the decision so that its quota comes back.
//
//	echo "Hello" | smtpsend -config presend.json -smtp localhost:25 \
//	    -from 'News <news@example.com>' -to a@example.org,b@example.org \
//	    -list weekly -unsubscribe https://example.com/u/abc -subject 'This week'
//
// Exit codes are those of `presend check`: 0 sent to everyone, 12 sent to
// some (partial), 10 blocked, 11 deferred, 1 error, 2 usage.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/mail"
	"net/smtp"
	"os"
	"strings"
	"time"

	presend "github.com/presend/presend/bindings/go"
)

// send checks msg and, when presend allows some recipients, sends body to
// them through the SMTP server at addr. It returns the decision and the
// recipients the message was sent to.
func send(ctx context.Context, e *presend.Engine, addr string, msg presend.Message, body []byte) (presend.Decision, []string, error) {
	d, err := e.Check(ctx, msg)
	if err != nil {
		return d, nil, fmt.Errorf("check: %w", err)
	}
	allowed := d.Allowed()
	if len(allowed) == 0 {
		return d, nil, nil // blocked or deferred: no quota was reserved
	}
	envelope := msg.MailFrom
	if envelope == "" {
		from, err := mail.ParseAddress(msg.From)
		if err != nil {
			return d, nil, errors.Join(fmt.Errorf("from: %w", err), e.Release(ctx, d.ID))
		}
		envelope = from.Address
	}
	if err := smtp.SendMail(addr, nil, envelope, allowed, body); err != nil {
		// Not sent: give the quota reserved by the decision back.
		if rerr := e.Release(ctx, d.ID); rerr != nil {
			return d, nil, errors.Join(fmt.Errorf("send: %w", err), fmt.Errorf("release: %w", rerr))
		}
		return d, nil, fmt.Errorf("send: %w", err)
	}
	return d, allowed, nil
}

// compose builds the RFC 5322 text of the message (CRLF line ends).
func compose(msg presend.Message, subject string, text []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\n", msg.From)
	if len(msg.To) > 0 {
		fmt.Fprintf(&b, "To: %s\r\n", strings.Join(msg.To, ", "))
	}
	if len(msg.Cc) > 0 {
		fmt.Fprintf(&b, "Cc: %s\r\n", strings.Join(msg.Cc, ", "))
	}
	fmt.Fprintf(&b, "Subject: %s\r\n", subject)
	fmt.Fprintf(&b, "Date: %s\r\n", time.Now().Format(time.RFC1123Z))
	for _, h := range msg.Headers {
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	b.Write(bytes.ReplaceAll(bytes.ReplaceAll(text, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n")))
	return b.Bytes()
}

func split(s string) []string {
	var out []string
	for _, a := range strings.Split(s, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

func main() {
	config := flag.String("config", "", "presend configuration file (required)")
	db := flag.String("db", "", "store file (default: the configuration's)")
	addr := flag.String("smtp", "localhost:25", "SMTP server host:port")
	from := flag.String("from", "", "From address (required)")
	to := flag.String("to", "", "To addresses, comma-separated")
	cc := flag.String("cc", "", "Cc addresses, comma-separated")
	bcc := flag.String("bcc", "", "Bcc addresses, comma-separated")
	subject := flag.String("subject", "", "Subject")
	stream := flag.String("stream", presend.StreamMarketing, "marketing or transactional")
	list := flag.String("list", "", "the mailing list (marketing)")
	unsubscribe := flag.String("unsubscribe", "", "one-click unsubscribe URL (List-Unsubscribe)")
	flag.Parse()
	if *config == "" || *from == "" || *to+*cc+*bcc == "" {
		flag.Usage()
		os.Exit(2)
	}
	text, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}

	var opts []presend.Option
	if *db != "" {
		opts = append(opts, presend.WithDB(*db))
	}
	e, err := presend.Open(*config, opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer e.Close()

	msg := presend.Message{From: *from, To: split(*to), Cc: split(*cc), Bcc: split(*bcc),
		Stream: *stream, List: *list}
	if *unsubscribe != "" {
		msg.Headers = [][2]string{{"List-Unsubscribe", "<" + *unsubscribe + ">"},
			{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d, sent, err := send(ctx, e, *addr, msg, compose(msg, *subject, text))
	for _, r := range d.Recipients {
		var codes []string
		for _, reason := range r.Reasons {
			codes = append(codes, reason.Code)
		}
		fmt.Printf("%-7s %s %s\n", r.Verdict, r.Address, strings.Join(codes, " "))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%s: sent to %d of %d recipients (decision %s)\n", d.Verdict, len(sent), len(d.Recipients), d.ID)
	if d.Verdict == presend.Defer {
		fmt.Printf("retry after %s\n", d.RetryAfter)
	}
	os.Exit(map[presend.Verdict]int{presend.Allow: 0, presend.Partial: 12, presend.Block: 10, presend.Defer: 11}[d.Verdict])
}
