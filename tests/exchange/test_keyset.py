"""KeySet finds every duplicate key, before and after it spills to disk."""

import uuid

import pytest

from exchange.keyset import KeySet


def _filled(directory, memory_limit, count):
    """Return the keys 0..count-1 as uuids' bytes and a KeySet holding each at its place."""
    keys = [uuid.UUID(int=i).bytes for i in range(count)]
    seen = KeySet(str(directory), memory_limit=memory_limit)
    for place, key in enumerate(keys):
        seen.add(key, place)
    return keys, seen


@pytest.mark.parametrize("memory_limit", [10, 1_000_000])
def test_keyset_reports_each_repeat_with_the_first_place(tmp_path, memory_limit):
    keys, seen = _filled(tmp_path, memory_limit, 100)
    seen.add(keys[3], 100)
    seen.add(keys[97], 101)
    seen.add(keys[3], 102)
    seen.flush()
    assert sorted(seen.duplicates) == [
        (100, 3, keys[3]),
        (101, 97, keys[97]),
        (102, 3, keys[3]),
    ]
    assert keys[50] in seen
    assert uuid.UUID(int=1000).bytes not in seen
    seen.close()


def test_keyset_finds_a_repeat_inside_one_batch_on_disk(tmp_path):
    seen = KeySet(str(tmp_path), memory_limit=0)
    seen.add(b"a", 0)
    seen.add(b"b", 1)
    seen.add(b"b", 2)
    seen.flush()
    assert seen.duplicates == [(2, 1, b"b")]
    seen.close()


@pytest.mark.parametrize("memory_limit", [10, 1_000_000])
def test_keyset_reports_each_repeat_once_across_flushes(tmp_path, memory_limit):
    keys, seen = _filled(tmp_path, memory_limit, 50)
    seen.add(keys[7], 50)
    seen.flush()
    assert seen.duplicates == [(50, 7, keys[7])]
    assert keys[49] in seen
    seen.add(keys[7], 51)
    seen.add(uuid.UUID(int=99).bytes, 52)
    seen.add(keys[20], 53)
    seen.flush()
    assert sorted(seen.duplicates) == [(50, 7, keys[7]), (51, 7, keys[7]), (53, 20, keys[20])]
    assert uuid.UUID(int=99).bytes in seen
    seen.close()
