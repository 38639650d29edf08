"""Reading a request body in an ASGI wrapper and handing it on unchanged, and sending a JSON answer (the kit's
scope guard and fast path)."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import Message, Receive, Send


async def read_body(receive: Receive) -> bytes:
    """The whole body of the request ``receive`` delivers."""
    chunks = []
    more = True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that delivers ``body`` (already read) first, then whatever ``receive`` delivers."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def send_json(send: Send, status: int, body: bytes, headers: Iterable[tuple[bytes, bytes]] = ()) -> None:
    """Answer with ``status`` and the JSON ``body`` (already encoded), plus ``headers``."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
