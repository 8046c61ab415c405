package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/devserver"
	"github.com/rs/zerolog"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
)

// pki is a test CA with a server certificate for 127.0.0.1 and a client
// certificate, written as PEM files.
type pki struct {
	ca, serverCert, serverKey, clientCert, clientKey string
	pool                                             *x509.CertPool
}

func newPKI(t *testing.T) pki {
	t.Helper()
	dir := t.TempDir()
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	leaf := func(n int64, name string, usage x509.ExtKeyUsage) (string, string) {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(n), Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
			IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{usage},
			KeyUsage: x509.KeyUsageDigitalSignature, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kd, _ := x509.MarshalPKCS8PrivateKey(k)
		return write(name+".pem", "CERTIFICATE", der), write(name+".key", "PRIVATE KEY", kd)
	}
	p := pki{ca: write("ca.pem", "CERTIFICATE", caDER), pool: x509.NewCertPool()}
	p.pool.AddCert(ca)
	p.serverCert, p.serverKey = leaf(2, "temporal.test", x509.ExtKeyUsageServerAuth)
	p.clientCert, p.clientKey = leaf(3, "worker", x509.ExtKeyUsageClientAuth)
	return p
}

// mtlsProxy terminates TLS, requiring a client certificate of the CA, in
// front of addr, as a Temporal frontend with mTLS would.
func mtlsProxy(t *testing.T, p pki, addr string) string {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(p.serverCert, p.serverKey)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: p.pool,
		ClientAuth: tls.RequireAndVerifyClientCert, NextProtos: []string{"h2"}, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if err := c.(*tls.Conn).Handshake(); err != nil {
					return
				}
				up, err := net.Dial("tcp", addr)
				if err != nil {
					return
				}
				defer up.Close()
				go func() { _, _ = io.Copy(up, c) }()
				_, _ = io.Copy(c, up)
			}()
		}
	}()
	return ln.Addr().String()
}

// The Temporal connection uses TLS with a client certificate from the SDK's
// envconfig variables: it reaches a real dev server behind an mTLS proxy,
// and without the client certificate it is refused.
func TestTemporalMTLS(t *testing.T) {
	ctx := context.Background()
	ts, err := devserver.Start(ctx, devserver.Options{LogFile: filepath.Join(t.TempDir(), "temporal.log")})
	if err != nil {
		t.Fatal(err)
	}
	defer ts.Stop()
	p := newPKI(t)
	addr := mtlsProxy(t, p, ts.Address)

	t.Setenv("TEMPORAL_TLS_SERVER_CA_CERT_PATH", p.ca)
	t.Setenv("TEMPORAL_TLS_SERVER_NAME", "temporal.test")
	opts, err := temporalOptions(addr, "default")
	if err != nil {
		t.Fatal(err)
	}
	if opts.ConnectionOptions.TLS == nil || opts.ConnectionOptions.TLS.ServerName != "temporal.test" {
		t.Fatalf("TLS not configured: %+v", opts.ConnectionOptions.TLS)
	}
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if c, err := client.DialContext(dctx, opts); err == nil {
		c.Close()
		t.Fatal("a connection without a client certificate was accepted")
	}

	t.Setenv("TEMPORAL_TLS_CLIENT_CERT_PATH", p.clientCert)
	t.Setenv("TEMPORAL_TLS_CLIENT_KEY_PATH", p.clientKey)
	tc, err := dialTemporal(ctx, addr, "default", nil, zerolog.Nop())
	if err != nil {
		t.Fatalf("dial with the client certificate: %v", err)
	}
	defer tc.Close()
	if _, err := tc.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		t.Fatalf("health over mTLS: %v", err)
	}
}

// An API key turns TLS on (as the SDK does) and is sent as credentials;
// a client certificate without its key is a configuration error.
func TestTemporalOptionsFromEnv(t *testing.T) {
	t.Setenv("TEMPORAL_API_KEY", "k-123")
	opts, err := temporalOptions("x.tmprl.cloud:7233", "approvals")
	if err != nil {
		t.Fatal(err)
	}
	if opts.Credentials == nil || opts.ConnectionOptions.TLS == nil || opts.HostPort != "x.tmprl.cloud:7233" || opts.Namespace != "approvals" {
		t.Fatalf("API key options: %+v", opts)
	}
	t.Setenv("TEMPORAL_API_KEY", "")
	t.Setenv("TEMPORAL_TLS_CLIENT_CERT_PATH", "/nonexistent/cert.pem")
	_, err = temporalOptions("127.0.0.1:7233", "approvals")
	var ce configError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "TEMPORAL_TLS") {
		t.Fatalf("a certificate without its key: %v", err)
	}
}

// The pool is sized with the worker's activity slots.
func TestReadOps(t *testing.T) {
	o, err := readOps()
	if err != nil || o.MaxActivities != defaultMaxActivities || o.DBMaxConns != defaultMaxActivities+poolHeadroom || o.MetricsAddr != "" {
		t.Fatalf("defaults: %+v %v", o, err)
	}
	t.Setenv("APPROVALS_WORKER_MAX_ACTIVITIES", "50")
	if o, err = readOps(); err != nil || o.DBMaxConns != 55 {
		t.Fatalf("the pool follows the activities: %+v %v", o, err)
	}
	t.Setenv("APPROVALS_DB_MAX_CONNS", "52") // 50 activities, the jobs' 2, none to spare
	if _, err = readOps(); err == nil || !strings.Contains(err.Error(), "APPROVALS_DB_MAX_CONNS=52") {
		t.Fatalf("a pool without room for the jobs' activities: %v", err)
	}
	t.Setenv("APPROVALS_DB_MAX_CONNS", "53")
	if _, err = readOps(); err != nil {
		t.Fatalf("a pool of activities + 3: %v", err)
	}
	t.Setenv("APPROVALS_DB_MAX_CONNS", "40")
	if _, err = readOps(); err == nil || !strings.Contains(err.Error(), "APPROVALS_DB_MAX_CONNS=40") {
		t.Fatalf("a pool smaller than the activities: %v", err)
	}
	t.Setenv("APPROVALS_DB_MAX_CONNS", "zero")
	if _, err = readOps(); err == nil || !strings.Contains(err.Error(), "APPROVALS_DB_MAX_CONNS") {
		t.Fatalf("a bad number: %v", err)
	}
}

// The OIDC settings need an audience and an https issuer (http on loopback).
func TestReadOIDC(t *testing.T) {
	for env, want := range map[string]string{
		"https://id.city.gov.cn/realms/approvals|":         "APPROVALS_OIDC_AUDIENCE is required",
		"http://id.city.gov.cn|approvals-api":              "want an https:// URL",
		"https://id.city.gov.cn|approvals-api|10m":         "APPROVALS_OIDC_CLOCK_SKEW",
		"https://id.city.gov.cn|approvals-api|30s":         "",
		"http://127.0.0.1:18700/realms/a|approvals-api|0s": "",
	} {
		f := strings.Split(env+"|", "|")
		t.Setenv("APPROVALS_OIDC_ISSUER", f[0])
		t.Setenv("APPROVALS_OIDC_AUDIENCE", f[1])
		t.Setenv("APPROVALS_OIDC_CLOCK_SKEW", f[2])
		var c config
		err := c.readOIDC()
		if want == "" && (err != nil || c.OIDC.Issuer != f[0] || c.OIDC.Audience != f[1]) {
			t.Errorf("%s: %v %+v", env, err, c.OIDC)
		}
		if want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("%s: want %q, got %v", env, want, err)
		}
	}
}

// Both workers poll workflow tasks with the SDK's autoscaling pollers (see
// workerOptions), and the SDK accepts the options.
func TestWorkerPollers(t *testing.T) {
	o, err := readOps()
	if err != nil {
		t.Fatal(err)
	}
	tc, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	for name, w := range map[string]worker.Options{"procedures": o.workerOptions(), "jobs": o.jobsWorkerOptions()} {
		if got := fmt.Sprintf("%T", w.WorkflowTaskPollerBehavior); !strings.Contains(got, "Autoscaling") || w.MaxConcurrentWorkflowTaskPollers != 0 {
			t.Errorf("%s worker: workflow-task pollers %s, %d fixed ones; want autoscaling only", name, got, w.MaxConcurrentWorkflowTaskPollers)
		}
		_ = worker.New(tc, "pollers-test", w) // panics on options the SDK refuses
	}
}
