"""Evaluate SPARQL where the network cannot be reached, whatever the query says.

pyoxigraph evaluates ``SERVICE <http://...>`` by sending an HTTP request from Rust; no
Python-level patch, proxy variable or descriptor limit stops it. So the boundary is the
operating system's: a process that evaluates a user's query first makes itself unable to
open a network socket, irreversibly, for the rest of its life.

- :func:`isolate` does that to the calling process: a seccomp filter (unprivileged, covers
  every thread) that makes ``socket()`` fail with EPERM for every family but ``AF_UNIX``
  and refuses ``io_uring`` (which can open sockets without the ``socket`` call); where
  seccomp is not available, a new user and network namespace with no interface up. Either
  is checked by trying to open a TCP connection afterwards.
- ``kb sparql`` isolates itself at start-up when it evaluates a user's query locally; the
  endpoint's query workers isolate themselves before loading the store. (Named questions
  skip this: their text ships with the package and cannot name SERVICE.)
- :func:`run_isolated` serves the Python API, which cannot isolate its caller: it forks a
  child that isolates itself, runs the function, and sends the result back.

Where neither mechanism works (a kernel without them, macOS, Windows), :class:`Unavailable`
is raised and user SPARQL is refused; named questions, whose text ships with the package and
whose parameters are bound as data, still run.
"""

from __future__ import annotations

import errno
import os
import signal
import struct
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from kb.model.errors import UsageError

if TYPE_CHECKING:  # ctypes itself is imported only when a process isolates itself
    import ctypes

T = TypeVar("T")


class Unavailable(UsageError):
    """This system offers no way to stop query evaluation from reaching the network."""

    def __init__(self, reason: str):
        super().__init__(
            "cannot run SPARQL safely here: no way to keep query evaluation off the network "
            f"({reason}); named questions (kb ask) still work"
        )


#: How the current process is isolated ("seccomp" or "namespace"), or None.
_isolated: str | None = None

# seccomp: BPF over struct seccomp_data {int nr; u32 arch; u64 ip; u64 args[6];}
_LD_W_ABS, _JEQ, _JGE, _RET = 0x20, 0x15, 0x35, 0x06
_ALLOW = 0x7FFF0000
_DENY = 0x00050000 | errno.EPERM  # SECCOMP_RET_ERRNO | EPERM
_AF_UNIX = 1
_IO_URING_SETUP = 425  # the same number on every 64-bit architecture
#: machine → (AUDIT_ARCH_*, __NR_socket, __NR_seccomp)
_ARCHES = {
    "x86_64": (0xC000003E, 41, 317),
    "aarch64": (0xC00000B7, 198, 277),
}
_PR_SET_NO_NEW_PRIVS, _SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC = 38, 1, 1
_CLONE_NEWUSER, _CLONE_NEWNET = 0x10000000, 0x40000000


def _filter(arch: int, socket_nr: int) -> list[tuple[int, int, int, int]]:
    """The BPF program: deny other ABIs, x32 numbers, io_uring, and socket() but AF_UNIX."""
    return [
        (_LD_W_ABS, 0, 0, 4),  # 0: arch
        (_JEQ, 1, 0, arch),  # 1: native ABI? go on : deny
        (_RET, 0, 0, _DENY),  # 2
        (_LD_W_ABS, 0, 0, 0),  # 3: syscall number
        (_JGE, 5, 0, 0x40000000),  # 4: x32 numbers → deny
        (_JEQ, 4, 0, _IO_URING_SETUP),  # 5: io_uring → deny
        (_JEQ, 1, 0, socket_nr),  # 6: socket → check family
        (_RET, 0, 0, _ALLOW),  # 7
        (_LD_W_ABS, 0, 0, 16),  # 8: args[0] (family; low word, little-endian)
        (_JEQ, 1, 0, _AF_UNIX),  # 9: AF_UNIX → allow : deny
        (_RET, 0, 0, _DENY),  # 10
        (_RET, 0, 0, _ALLOW),  # 11
    ]


def _libc() -> ctypes.CDLL:
    import ctypes

    return ctypes.CDLL(None, use_errno=True)


def _seccomp() -> None:
    import ctypes

    machine = os.uname().machine
    arch = _ARCHES.get(machine)
    if arch is None or sys.byteorder != "little":
        raise OSError(f"no seccomp filter for {machine}")
    audit_arch, socket_nr, seccomp_nr = arch
    code = b"".join(struct.pack("=HBBI", *op) for op in _filter(audit_arch, socket_nr))
    program = ctypes.create_string_buffer(code)

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = Program(len(code) // 8, ctypes.cast(program, ctypes.c_void_p))
    libc = _libc()
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    result = libc.syscall(
        ctypes.c_long(seccomp_nr),
        ctypes.c_uint(_SECCOMP_SET_MODE_FILTER),
        ctypes.c_uint(_SECCOMP_FILTER_FLAG_TSYNC),
        ctypes.byref(fprog),
    )
    if result != 0:
        raise OSError(ctypes.get_errno(), f"seccomp failed ({result})")


def _namespace() -> None:
    if hasattr(os, "unshare"):  # Python 3.12+
        os.unshare(_CLONE_NEWUSER | _CLONE_NEWNET)
        return
    import ctypes

    if _libc().unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
        number = ctypes.get_errno()
        raise OSError(number, f"unshare: {os.strerror(number)}")


def network_reachable() -> bool:
    """Whether this process can still open a TCP connection (to a closed loopback port:
    "refused" means the network stack is reachable; "not permitted" or "unreachable" that
    it is not)."""
    try:
        import _socket  # not the socket module: the command line's start-up stays quick

        probe = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
    except OSError:
        return False
    try:
        probe.settimeout(1)
        probe.connect(("127.0.0.1", 9))
    except ConnectionRefusedError:
        return True
    except OSError as error:
        return error.errno not in (errno.ENETUNREACH, errno.EPERM, errno.EACCES)
    finally:
        probe.close()
    return True


def isolate() -> str:
    """Cut the calling process off the network for good; return the mechanism used.

    Idempotent. Raises :class:`Unavailable` when no mechanism works here.
    """
    global _isolated
    if _isolated:
        return _isolated
    reasons = []
    if not sys.platform.startswith("linux"):
        raise Unavailable(f"{sys.platform} is not supported; Linux is")
    for name, mechanism in (("seccomp", _seccomp), ("namespace", _namespace)):
        try:
            mechanism()
        except (OSError, AttributeError) as error:
            reasons.append(f"{name}: {error}")
            continue
        if network_reachable():
            reasons.append(f"{name}: installed, but a connection still opened")
            continue
        _isolated = name
        return name
    raise Unavailable("; ".join(reasons))


def blocked_network(error: BaseException) -> bool:
    """Whether an evaluation error is this process's isolation refusing a connection."""
    if not _isolated or not isinstance(error, OSError):
        return False
    text = str(error)
    return error.errno in _BLOCKED or any(f"(os error {n})" in text for n in _BLOCKED)


_BLOCKED = (errno.EPERM, errno.ENETUNREACH, errno.EACCES)


def isolated() -> str | None:
    """How this process is isolated, or None when it is not."""
    return _isolated


def run_isolated(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in a forked child that has isolated itself; its result or error.

    In a process that is isolated already, the function simply runs here. The result and
    message of any error travel back pickled; a child that dies (a crash in the
    query engine) is reported as a :class:`UsageError`, and the caller lives on.
    """
    import pickle

    if _isolated:
        return function(*args)
    if not hasattr(os, "fork"):
        raise Unavailable("no fork() on this system")
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        status = 0
        try:
            try:
                isolate()
                outcome: tuple[bool, Any] = (True, function(*args))
            except UsageError as error:
                outcome = (False, str(error))
            except Exception as error:  # reported to the parent, not lost
                outcome = (False, f"query failed: {type(error).__name__}: {error}")
            try:
                data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as error:  # an unpicklable result
                data = pickle.dumps((False, f"cannot return the result: {error}"))
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
        except BaseException:  # a child never unwinds into the caller's code
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    _, wait_status = os.waitpid(pid, 0)
    if not data:
        raise UsageError(f"query evaluation stopped: {_how(wait_status)}")
    ok, value = pickle.loads(data)
    if ok:
        return value
    raise UsageError(value)


def _how(wait_status: int) -> str:
    if os.WIFSIGNALED(wait_status):
        number = os.WTERMSIG(wait_status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        return f"the evaluating process died ({name})"
    return f"the evaluating process exited with {os.WEXITSTATUS(wait_status)}"
