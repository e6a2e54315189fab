from __future__ import annotations

import pytest

from c8ylink.core.file_transfer import (
    FileTransferPathError,
    entity_file_dir,
    file_transfer_url,
    relative_file_path,
)
from c8ylink.core.topics import EntityTopicId


def test_a_plain_path_is_kept_and_decoded_once() -> None:
    assert relative_file_path("/te/v1/files/main/config_snapshot/a-1?x=1") == "main/config_snapshot/a-1"
    assert relative_file_path("/te/v1/files/main/my%20file") == "main/my file"


@pytest.mark.parametrize(
    "target",
    ["/te/v1/files/..", "/te/v1/files/a/../b", "/te/v1/files/%2e%2e/b", "/te/v1/files/%252e%252e/b",
     "/te/v1/files//abs", "/te/v1/files/a%2fb", "/te/v1/files/a\\b", "/te/v1/files/a%00", "/te/v1/files/",
     "/te/v1/files/./a", "/te/v1/files/a//b", "/te/v1/files/%ff", "/other/a"],
)  # fmt: skip
def test_traversal_is_refused(target: str) -> None:
    with pytest.raises(FileTransferPathError):
        relative_file_path(target)


def test_urls_per_entity() -> None:
    assert entity_file_dir(EntityTopicId("device/main//")) == "main"
    assert entity_file_dir(EntityTopicId("device/child01//")) == "child01"
    assert entity_file_dir(EntityTopicId("device/main/service/nodered")) == "main_service_nodered"
    url = file_transfer_url(
        "http://127.0.0.1:8000/", EntityTopicId("device/main//"), "config_snapshot", "a b-1"
    )
    assert url == "http://127.0.0.1:8000/te/v1/files/main/config_snapshot/a%20b-1"
