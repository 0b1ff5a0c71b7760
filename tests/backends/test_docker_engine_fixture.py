"""The private engine fixture itself: it runs labelled containers without network."""

from __future__ import annotations


def test_runs_a_labelled_container_without_network(docker_engine):
    c = docker_engine.run(["sh", "-c", "echo ready; sleep 30"])
    state = docker_engine.wait_state(c["id"], "running")
    assert state["Running"]
    info = docker_engine.inspect(c["id"])
    assert info["HostConfig"]["NetworkMode"] == "none"
    assert info["Config"]["Labels"]["opsconsole.test"] == "1"


def test_unhealthy_image_turns_unhealthy(docker_engine):
    c = docker_engine.run(image=docker_engine.unhealthy_image, command=["sleep", "60"])
    assert docker_engine.wait_health(c["id"], "unhealthy")


def test_previous_test_containers_are_gone(docker_engine):
    assert docker_engine.test_containers() == []
