"""The allocator setting that bounds the encoder's memory is applied where the C library allows it."""

import platform

import pytest

from bot.malloc import return_large_buffers


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_large_buffers_get_their_own_mappings_on_glibc() -> None:
    assert return_large_buffers() is True
    assert return_large_buffers() is True  # once per process, then a no-op
