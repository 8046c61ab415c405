package devserver

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// Search attributes registered on a running server (as the production worker
// does) are usable as soon as RegisterSearchAttributes returns.
func TestRegisterSearchAttributesOnRunningServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s, err := Start(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	c, err := client.Dial(client.Options{HostPort: s.Address, Logger: quiet{}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	attrs := map[string]string{"TestCity": "Keyword", "TestDue": "Datetime"}
	if err := RegisterSearchAttributes(ctx, c, "default", attrs); err != nil {
		t.Fatal(err)
	}
	if err := RegisterSearchAttributes(ctx, c, "default", attrs); err != nil {
		t.Fatalf("registering again: %v", err)
	}
	_, err = c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: "sa-test", TaskQueue: "nobody-polls",
		TypedSearchAttributes: temporal.NewSearchAttributes(
			temporal.NewSearchAttributeKeyKeyword("TestCity").ValueSet("wuhan"),
			temporal.NewSearchAttributeKeyTime("TestDue").ValueSet(time.Now())),
	}, "Nothing")
	if err != nil {
		t.Fatalf("start with the registered attributes: %v", err)
	}
	if err := RegisterSearchAttributes(ctx, c, "default", map[string]string{"Bad": "Colour"}); err == nil {
		t.Fatal("an unknown attribute type was accepted")
	}
}

// Our namespace is created at start with the search attributes, its
// retention is set explicitly, and a namespace the server lacks is created.
func TestEnsureNamespace(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s, err := Start(ctx, Options{Namespace: "ours", SearchAttributes: map[string]string{"TestCity": "Keyword"}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	c, err := client.Dial(client.Options{HostPort: s.Address, Namespace: "ours", Logger: quiet{}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	month := 30 * 24 * time.Hour
	if err := EnsureNamespace(ctx, c, "ours", month); err != nil {
		t.Fatal(err)
	}
	if r, err := Retention(ctx, c, "ours"); err != nil || r != month {
		t.Fatalf("retention of ours: %v, %v; want %v", r, err, month)
	}
	_, err = c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: "ns-test", TaskQueue: "nobody-polls",
		TypedSearchAttributes: temporal.NewSearchAttributes(temporal.NewSearchAttributeKeyKeyword("TestCity").ValueSet("wuhan")),
	}, "Nothing")
	if err != nil {
		t.Fatalf("start in ours with its search attribute: %v", err)
	}
	week := 7 * 24 * time.Hour
	if err := EnsureNamespace(ctx, c, "fresh", week); err != nil {
		t.Fatal(err)
	}
	if r, err := Retention(ctx, c, "fresh"); err != nil || r != week {
		t.Fatalf("retention of fresh: %v, %v; want %v", r, err, week)
	}
}
