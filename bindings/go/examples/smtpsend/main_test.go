package main

import (
	"bufio"
	"context"
	"errors"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	presend "github.com/presend/presend/bindings/go"
)

// smtpServer speaks just enough SMTP for net/smtp.SendMail and records what
// it was given.
type smtpServer struct {
	ln         net.Listener
	mu         sync.Mutex
	recipients []string
	data       []string
}

func startSMTP(t *testing.T) *smtpServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.session(c)
		}
	}()
	return s
}

func (s *smtpServer) session(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	reply := func(line string) { c.Write([]byte(line + "\r\n")) }
	reply("220 test ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch {
		case verb == "EHLO" || verb == "HELO":
			reply("250 test")
		case strings.HasPrefix(strings.ToUpper(line), "MAIL FROM:"):
			reply("250 ok")
		case strings.HasPrefix(strings.ToUpper(line), "RCPT TO:"):
			s.mu.Lock()
			s.recipients = append(s.recipients, strings.Trim(line[len("RCPT TO:"):], "<> "))
			s.mu.Unlock()
			reply("250 ok")
		case verb == "DATA":
			reply("354 go ahead")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			s.mu.Lock()
			s.data = append(s.data, b.String())
			s.mu.Unlock()
			reply("250 queued")
		case verb == "QUIT":
			reply("221 bye")
			return
		case verb == "RSET" || verb == "NOOP":
			reply("250 ok")
		default:
			reply("502 not implemented")
		}
	}
}

const config = `{
  "defaults": {"account": "prod", "region": "us-east-1"},
  "accounts": {"prod": {"tier": "production",
                        "regions": {"us-east-1": {"max_24h": 1000, "max_rate": 1000, "burst": 1000}}}}
}`

func openEngine(t *testing.T) *presend.Engine {
	e, err := presend.OpenJSON([]byte(config), presend.WithDB(filepath.Join(t.TempDir(), "presend.db")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	ctx := context.Background()
	for _, a := range []string{"alice@example.org", "bob@example.org"} {
		if err := e.ConsentPut(ctx, presend.Consent{Address: a, List: "weekly"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.SuppressionPut(ctx, presend.Suppression{Address: "bob@example.org", Reason: "complaint"}); err != nil {
		t.Fatal(err)
	}
	return e
}

func newsletter() presend.Message {
	return presend.Message{From: "News <news@example.com>", List: "weekly",
		To: []string{"alice@example.org", "bob@example.org"}, Bcc: []string{"carol@example.org"},
		Headers: [][2]string{{"List-Unsubscribe", "<https://example.com/u/abc>"},
			{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}}}
}

func TestSendOnlyToAllowed(t *testing.T) {
	ctx := context.Background()
	e := openEngine(t)
	srv := startSMTP(t)
	msg := newsletter()
	d, sent, err := send(ctx, e, srv.ln.Addr().String(), msg, compose(msg, "This week", []byte("Hello\n")))
	if err != nil {
		t.Fatal(err)
	}
	if d.Verdict != presend.Partial || !slices.Equal(sent, []string{"alice@example.org"}) {
		t.Fatalf("verdict %s, sent to %v", d.Verdict, sent)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	// bob complained and carol never consented: neither reaches the server.
	if !slices.Equal(srv.recipients, []string{"alice@example.org"}) {
		t.Fatalf("server got RCPT %v, want only alice@example.org", srv.recipients)
	}
	if len(srv.data) != 1 || !strings.Contains(srv.data[0], "Subject: This week\r\n") {
		t.Fatalf("server got %q", srv.data)
	}
}

func TestBlockedSendsNothing(t *testing.T) {
	ctx := context.Background()
	e := openEngine(t)
	srv := startSMTP(t)
	msg := newsletter()
	msg.To, msg.Bcc = []string{"bob@example.org"}, nil
	d, sent, err := send(ctx, e, srv.ln.Addr().String(), msg, compose(msg, "x", nil))
	if err != nil || d.Verdict != presend.Block || sent != nil {
		t.Fatalf("verdict %s sent %v err %v", d.Verdict, sent, err)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.recipients) != 0 {
		t.Fatalf("a blocked message reached the server: %v", srv.recipients)
	}
}

func TestFailedSendIsReleased(t *testing.T) {
	ctx := context.Background()
	e := openEngine(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there any more
	msg := newsletter()
	d, sent, err := send(ctx, e, addr, msg, compose(msg, "x", nil))
	if err == nil || sent != nil {
		t.Fatalf("send to a closed port: sent %v err %v", sent, err)
	}
	q, err := e.QuotaStatus(ctx, "", "")
	if err != nil || q.Sent24h != 0 {
		t.Fatalf("quota after a failed send: %+v %v, want sent_24h 0", q, err)
	}
	if err := e.Release(ctx, d.ID); !errors.Is(err, presend.ErrState) {
		t.Fatalf("Release after send released: %v, want ErrState (already released)", err)
	}
}
