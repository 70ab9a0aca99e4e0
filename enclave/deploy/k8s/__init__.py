"""Kubernetes as the scale-out path: manifests rendered from the policy, validated against the
Kubernetes schemas in the tests (``tests/docker/test_k8s_render.py``).  See docs/deployment.md."""
from enclave.deploy.k8s.config import K8sConfig
from enclave.deploy.k8s.render import render_all

__all__ = ["K8sConfig", "render_all"]
