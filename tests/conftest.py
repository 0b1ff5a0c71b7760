"""Shared test setup: the backend fixtures live in tests/fixtures/ (one module each)."""

pytest_plugins = [
    "tests.fixtures.isolation",
    "tests.fixtures.backend_start",
    "tests.fixtures.docker_engine",
    "tests.fixtures.kube",
    "tests.fixtures.kube_real",
    "tests.fixtures.aws",
    "tests.fixtures.sshd",
    "tests.fixtures.night_walk",
]
