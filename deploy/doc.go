// Package deploy holds no code: its tests check the deployment files beside
// them — docker-compose.yml at the repository's root, and the Kubernetes
// manifests in k8s/ (a kustomize base and an example overlay) — against the
// Kubernetes API types and README's configuration table. It is a module of
// its own so that the Kubernetes libraries stay out of the application's.
package deploy
