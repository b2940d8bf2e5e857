#!/usr/bin/env python3
"""A consumer's first session, through a client generated from openapi.json
(openapi-python-client): register, post, page through a timeline with the
cursor, upload an image as multipart, and get a typed 422. Run by
scripts/check-client.sh with the generated package on PYTHONPATH and the API
at API_URL; any surprise is an assertion error naming it."""
import io
import os
import struct
import sys
import zlib

from tweets_api_client import AuthenticatedClient, Client
from tweets_api_client.api.auth import register
from tweets_api_client.api.me import set_avatar
from tweets_api_client.api.tweets import create_tweet, list_public_timeline
from tweets_api_client.models import (AvatarForm, NewTweetForm, NewTweetRequest, PageViewTweet, Problem,
                                      RegisterRequest, Session, Tweet, User)
from tweets_api_client.types import UNSET, File


def png(width=4, height=4):
    """A small valid PNG, made here (no fixture file)."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    rows = b"".join(b"\0" + b"\x10\x80\xf0" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def main():
    base = os.environ["API_URL"]
    anonymous = Client(base_url=base, raise_on_unexpected_status=True)

    res = register.sync_detailed(client=anonymous, body=RegisterRequest(username="client_user",
                                                                        password="client-password-1"))
    assert res.status_code == 201 and isinstance(res.parsed, Session), res
    session = res.parsed
    assert session.user.username == "client_user"
    assert session.user.followed_by_me is False
    me = AuthenticatedClient(base_url=base, token=session.access_token, raise_on_unexpected_status=True)

    posted = []
    for i in range(5):
        res = create_tweet.sync_detailed(client=me, body=NewTweetRequest(text=f"typed tweet {i}"))
        assert res.status_code == 201 and isinstance(res.parsed, Tweet), res
        assert res.parsed.image_url is None and res.parsed.reply_to_id is None
        posted.append(res.parsed.id)
    res = create_tweet.sync_detailed(client=me, body=NewTweetForm(
        text="with a picture", image=File(payload=io.BytesIO(png()), file_name="p.png", mime_type="image/png")))
    assert res.status_code == 201 and isinstance(res.parsed, Tweet), res
    assert res.parsed.image_url and res.parsed.image_url.endswith(".png"), res.parsed
    posted.append(res.parsed.id)

    seen, cursor = [], UNSET
    for _ in range(10):
        res = list_public_timeline.sync_detailed(client=me, limit=2, cursor=cursor)
        assert res.status_code == 200 and isinstance(res.parsed, PageViewTweet), res
        # Items are the schema's Tweet (a $ref), not an inlined copy.
        assert all(isinstance(t, Tweet) for t in res.parsed.items), res.parsed.items
        seen += [t.id for t in res.parsed.items]
        if res.parsed.next_cursor is None:
            break
        cursor = res.parsed.next_cursor
    assert seen == sorted(posted, reverse=True), (seen, posted)

    res = set_avatar.sync_detailed(client=me, body=AvatarForm(
        image=File(payload=io.BytesIO(png(8, 8)), file_name="a.png", mime_type="image/png")))
    assert res.status_code == 200 and isinstance(res.parsed, User), res
    assert res.parsed.avatar_url and res.parsed.avatar_url.endswith(".png"), res.parsed

    res = register.sync_detailed(client=anonymous, body=RegisterRequest(username="no", password="short"))
    assert res.status_code == 422 and isinstance(res.parsed, Problem), res
    problem = res.parsed
    assert problem.code == "validation_failed", problem
    errors = problem.errors.to_dict() if problem.errors else {}
    assert set(errors) == {"username", "password"}, errors

    print(f"client_story: registered, posted {len(posted)} (one with an image), paged {len(seen)} tweets by cursor, "
          "set an avatar, got a typed 422 — all through the generated client")


if __name__ == "__main__":
    sys.exit(main())
