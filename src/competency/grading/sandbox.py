"""Isolation for learners' code on Linux: limits, namespaces, uids, Landlock, reaping.

Everything here is called either by the grading supervisor (make a working copy,
create and kill a cgroup, reap leftovers) or inside the forked child just before a
notebook runs (:func:`isolate`). What each machine offers is probed, not assumed:

* **cgroup v2** (:func:`cgroup_base`): a group per notebook under our own group in
  the cgroup2 mount (``/sys/fs/cgroup`` or ``/sys/fs/cgroup/unified``), emptied with
  ``cgroup.kill`` (or freeze and kill) so setsid and double-forks die too;
* **PID namespace** (root, no usable cgroup): the notebook runs as init of its own
  namespace; when it dies the kernel kills everything in it;
* **child subreaper** (neither): orphans re-parent to the supervisor, which kills them;
* **as root**: private mount, network and IPC namespaces and a uid of its own with
  no groups; Python installs below folders that uid cannot enter (``/root``) are
  bind-mounted into a tmpfs laid over that folder, hiding the rest of it;
* **Landlock** (any user, kernel 5.13+): read and execute only system and Python
  folders, write only the working copy and ``/dev/null``; with ABI 4+ no TCP, with
  ABI 6+ no signals or abstract sockets outside the sandbox;
* **rlimits**: address space, file size, processes, CPU seconds, no core dumps.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import math
import os
import resource
import shutil
import signal
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 1, 36, 38
CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWPID = (0x00020000, 0x08000000, 0x40000000,
                                                         0x20000000)
MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 4096, 16384, 1 << 18
SYSTEM_READ = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc",
               "/sys/devices/system/cpu", "/proc/meminfo", "/proc/cpuinfo", "/proc/stat")
REAPERS = ("auto", "cgroup", "pidns", "subreaper")
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")
# Landlock (include/uapi/linux/landlock.h)
LL_EXECUTE, LL_WRITE_FILE, LL_READ_FILE, LL_READ_DIR = 1, 2, 4, 8
LL_V1_ALL, LL_REFER, LL_TRUNCATE, LL_IOCTL_DEV = (1 << 13) - 1, 1 << 13, 1 << 14, 1 << 15
LL_NET_ALL, LL_SCOPE_ALL = 3, 3
SYS_LANDLOCK_CREATE, SYS_LANDLOCK_ADD_RULE, SYS_LANDLOCK_RESTRICT = 444, 445, 446


class SandboxSetupError(Exception):
    """A mechanism the sandbox requires failed; the notebook must not run."""


@dataclass(frozen=True)
class Limits:
    """What one notebook may use while it is graded."""

    cell_timeout: float = 30.0
    """Wall seconds per cell before it is interrupted (nbgrader's ``Execute.timeout``)."""
    notebook_timeout: float = 120.0
    """Wall seconds for the whole notebook before it is killed."""
    memory_bytes: int = 2 * 1024**3
    """Address space per process (``RLIMIT_AS``)."""
    output_chars: int = 1_000_000
    """Output characters kept per cell; the rest is dropped with a marker."""
    file_bytes: int = 64 * 1024**2
    """Largest file the notebook may write (``RLIMIT_FSIZE``)."""
    processes: int = 64
    """Processes the notebook may run at once (``RLIMIT_NPROC``)."""
    interrupt_grace: float = 2.0
    """Seconds an interrupted cell gets to stop before the notebook is killed."""

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not value > 0:
                raise ValueError(f"{name} must be positive ({value})")


@functools.cache
def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


def _call(what: str, result: int) -> int:
    if result < 0:
        raise SandboxSetupError(f"{what}: {os.strerror(ctypes.get_errno())}")
    return result


def _prctl(option: int, value: int) -> None:
    _call(f"prctl({option})", _libc().prctl(option, ctypes.c_ulong(value), 0, 0, 0))


def _mount(source: str | None, target: str, fstype: str | None, flags: int,
           data: str | None = None) -> None:
    enc = [None if s is None else s.encode() for s in (source, target, fstype, data)]
    _call(f"mount {target}", _libc().mount(enc[0], enc[1], enc[2], ctypes.c_ulong(flags),
                                           enc[3]))


def die_with_parent() -> None:
    """Be killed when the parent process dies."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def become_subreaper() -> None:
    """Adopt orphaned descendants, so that they can be found and killed."""
    _prctl(PR_SET_CHILD_SUBREAPER, 1)


# ---------------------------------------------------------------------------- cgroups


@functools.cache
def cgroup_base() -> Path | None:
    """Our own group in the cgroup v2 hierarchy, when we may create sub-groups in it."""
    try:
        mounts = Path("/proc/self/mounts").read_text().splitlines()
        own = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    mount = next((line.split()[1] for line in mounts if line.split()[2:3] == ["cgroup2"]), None)
    rel = next((line[3:] for line in own if line.startswith("0::")), None)
    if mount is None or rel is None:
        return None
    base = Path(mount) / rel.lstrip("/")
    probe = base / f"competency-probe-{os.getpid()}"
    try:
        probe.mkdir()
        probe.rmdir()
    except OSError:
        return None
    return base


def cgroup_create(name: str) -> Path | None:
    """A new empty group (None when cgroups cannot be used here)."""
    base = cgroup_base()
    if base is None:
        return None
    group = base / name
    try:
        group.mkdir()
    except OSError:
        return None
    return group


def cgroup_join(group: Path) -> None:
    """Move this process into ``group``."""
    try:
        (group / "cgroup.procs").write_text(str(os.getpid()))
    except OSError as exc:
        raise SandboxSetupError(f"cannot join cgroup {group}: {exc.strerror}") from exc


def _cgroup_pids(group: Path) -> list[int]:
    try:
        return [int(p) for p in (group / "cgroup.procs").read_text().split()]
    except OSError:
        return []


def cgroup_kill(group: Path) -> None:
    """Kill every process in ``group`` and wait until it is empty."""
    try:
        (group / "cgroup.kill").write_text("1")
    except OSError:  # kernels before 5.14: freeze, kill one by one, thaw
        for _ in range(50):
            pids = _cgroup_pids(group)
            if not pids:
                break
            for pid in pids:
                _signal(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            if "populated 0" in (group / "cgroup.events").read_text():
                return
        except OSError:
            return
        time.sleep(0.005)


def cgroup_remove(group: Path) -> None:
    """Remove an emptied group."""
    for _ in range(100):
        try:
            group.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            cgroup_kill(group)
            time.sleep(0.01)


def cgroup_sweep(prefix: str) -> None:
    """Kill and remove every group named ``PREFIX-*`` (left by a killed supervisor)."""
    base = cgroup_base()
    for group in [] if base is None else base.glob(f"{prefix}-*"):
        cgroup_remove(group)


# ------------------------------------------------------------------- other reapers


def choose_reaper(requested: str) -> str:
    """The reaping mechanism to use: ``requested``, or the best available for ``auto``."""
    if requested not in REAPERS:
        raise SandboxSetupError(f"unknown reaper ({requested})")
    if requested != "auto":
        return requested
    if cgroup_base() is not None:
        return "cgroup"
    return "pidns" if os.geteuid() == 0 else "subreaper"


def enter_pid_namespace(report_pid: Callable[[int], None]) -> None:
    """Fork into a new PID namespace; only the namespace's init (pid 1) returns.

    The process that called this waits for init and exits with its status; it tells
    the supervisor init's pid first (``report_pid``), so that interrupts reach the notebook.
    """
    _call("unshare(CLONE_NEWPID)", _libc().unshare(CLONE_NEWPID))
    pid = os.fork()
    if pid == 0:
        return
    report_pid(pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):  # die the same way, so that the supervisor can tell
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
        os.kill(os.getpid(), os.WTERMSIG(status))
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)


def _children_of(parent: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == parent:
                out.append(int(entry.name))
    return out


def reap_children() -> None:
    """Kill and reap every child (orphans re-parented to us included), until none is left."""
    me = os.getpid()
    for _ in range(500):
        children = _children_of(me)
        if not children:
            return
        for pid in children:
            _signal(pid, signal.SIGKILL)
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                time.sleep(0.002)
                break


def terminate(pid: int, group: Path | None) -> None:
    """Kill the notebook process ``pid`` (and its cgroup) at once."""
    if group is not None:
        cgroup_kill(group)
    _signal(pid, signal.SIGKILL)


def kill_all(group: Path | None) -> None:
    """Kill whatever the notebook left running (its cgroup, every child of ours); reap it."""
    if group is not None:
        cgroup_kill(group)
    reap_children()


# --------------------------------------------------------------------- working copy


def make_workdir(workroot: Path, job_id: int, files: Path, uid: int | None) -> Path:
    """A private copy of ``files`` (notebooks left out) owned by ``uid`` when root."""
    base = workroot / f"job-{job_id}"
    base.mkdir(mode=0o711)
    work = base / files.name
    shutil.copytree(files, work, symlinks=True,
                    ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
    os.chmod(work, 0o700)
    if uid is not None and os.geteuid() == 0:
        for folder, dirs, names in os.walk(work):
            for name in [folder, *(os.path.join(folder, n) for n in dirs + names)]:
                os.lchown(name, uid, uid)
    return work


@dataclass(frozen=True)
class CopyBack:
    """What :func:`copy_back` did with the files a notebook wrote."""

    copied: tuple[str, ...]
    """Files new or changed in the working copy, copied into the autograded folder."""
    removed: tuple[str, ...]
    """Files the notebook deleted, deleted from the autograded folder too."""
    left: tuple[str, ...]
    """Files left out: over the limits, or not regular files owned by the notebook."""


def copy_back(work: Path, dest: Path, uid: int | None, max_files: int = 1000,
              max_bytes: int = 256 * 1024**2) -> CopyBack:
    """Bring what the notebooks wrote in ``work`` back into ``dest``, as nbgrader keeps it.

    Under nbgrader the kernel runs in the autograded folder itself, so files it writes
    stay there. Only regular files are copied (never symlinks, devices or FIFOs; not
    hard links, nor, with a sandbox ``uid``, files another user owns), at most
    ``max_files`` files and ``max_bytes`` bytes; files of ``dest`` the notebook deleted
    are deleted (notebooks are not in the working copy and are left alone).
    """
    copied: list[str] = []
    left: list[str] = []
    seen: set[str] = set()
    total = 0
    for folder, dirs, names in os.walk(work):
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(folder, d))]
        for name in sorted(names):
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, work)
            seen.add(rel)
            info = os.lstat(path)
            if (not stat.S_ISREG(info.st_mode) or info.st_nlink > 1
                    or (uid is not None and info.st_uid not in (uid, os.geteuid()))):
                left.append(rel)
                continue
            target = dest / rel
            try:
                if target.is_file() and not target.is_symlink() \
                        and target.stat().st_size == info.st_size \
                        and target.read_bytes() == Path(path).read_bytes():
                    continue
            except OSError:
                pass
            if len(copied) >= max_files or total + info.st_size > max_bytes:
                left.append(rel)
                continue
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            with os.fdopen(fd, "rb") as src:
                data = src.read(max_bytes - total + 1)
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_symlink() or target.is_dir():
                left.append(rel)
                continue
            if target.exists():
                os.chmod(target, 0o600)
            target.write_bytes(data)
            total += len(data)
            copied.append(rel)
    removed = []
    for folder, _, names in os.walk(dest):
        for name in names:
            rel = os.path.relpath(os.path.join(folder, name), dest)
            if rel not in seen and not name.endswith(".ipynb") \
                    and ".ipynb_checkpoints" not in Path(rel).parts:
                os.unlink(os.path.join(folder, name))
                removed.append(rel)
    return CopyBack(tuple(copied), tuple(sorted(removed)), tuple(left))


def remove_tree(path: Path) -> None:
    """Remove a working copy, whatever modes the notebook left on it."""
    if not path.exists():
        return
    for folder, dirs, _ in os.walk(path):
        for name in dirs:
            full = os.path.join(folder, name)
            if not os.path.islink(full):
                os.chmod(full, 0o700)
    shutil.rmtree(path, ignore_errors=True)


# ------------------------------------------------------------------------ isolation


def _inside(path: Path, roots: Iterable[Path]) -> bool:
    return any(path == r or r in path.parents for r in roots)


@functools.cache
def candidate_roots() -> tuple[Path, ...]:
    """System and Python folders (computed once, in the warm worker, after its imports)."""
    candidates = [Path(p) for p in (*SYSTEM_READ, sys.prefix, sys.base_prefix,
                                    sys.exec_prefix, sys.base_exec_prefix, *sys.path) if p]
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if file and "." not in module.__name__:
            candidates.append(Path(file).parent)
    out: list[Path] = []
    for candidate in candidates:
        path = candidate.resolve()
        if path.exists() and path not in out:
            out.append(path)
    return tuple(out)


def read_roots(protect: Iterable[str]) -> list[Path]:
    """Folders the notebook may read: system and Python ones not holding a protected path."""
    protected = [Path(p).resolve() for p in protect]
    out = [path for path in candidate_roots()
           if not any(p == path or path in p.parents for p in protected)]
    return [p for p in out if not _inside(p, [q for q in out if q != p])]


def _blocked_ancestor(path: Path) -> Path | None:
    for folder in [*reversed(path.parents), path]:
        try:
            mode = folder.stat().st_mode
        except OSError:
            return None
        if not mode & stat.S_IXOTH:
            return folder
    return None


def _expose(roots: list[Path]) -> list[str]:
    """Re-expose roots below folders others cannot enter, hiding the rest of those folders."""
    blocked: dict[Path, list[Path]] = {}
    for root in roots:
        top = _blocked_ancestor(root)
        if top is not None and top != root:
            blocked.setdefault(top, []).append(root)
    notes = []
    for top, inner in blocked.items():
        if any(other in top.parents for other in blocked):
            continue
        fds = [(root, os.open(root, os.O_PATH | os.O_DIRECTORY)) for root in inner]
        _mount("tmpfs", str(top), "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=1m")
        for root, fd in fds:
            root.mkdir(mode=0o755, parents=True, exist_ok=True)
            _mount(f"/proc/self/fd/{fd}", str(root), None, MS_BIND | MS_REC)
            os.close(fd)
        notes.append(f"{top} hidden except {', '.join(str(r) for r in inner)}")
    return notes


def landlock_abi() -> int:
    """The kernel's Landlock ABI version (0 without Landlock)."""
    version = _libc().syscall(SYS_LANDLOCK_CREATE, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return max(int(version), 0)


class _RulesetAttr(ctypes.Structure):
    _fields_ = (("fs", ctypes.c_uint64), ("net", ctypes.c_uint64), ("scoped", ctypes.c_uint64))


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = (("allowed", ctypes.c_uint64), ("parent_fd", ctypes.c_int32))


def landlock(read: Iterable[Path], write: Iterable[Path], devices: Iterable[str],
             abi: int) -> None:
    """Allow only reading ``read``, writing ``write`` and ``devices``; no TCP, no signals out."""
    fs = LL_V1_ALL | (LL_REFER if abi >= 2 else 0) | (LL_TRUNCATE if abi >= 3 else 0) \
        | (LL_IOCTL_DEV if abi >= 5 else 0)
    attr = _RulesetAttr(fs, LL_NET_ALL if abi >= 4 else 0, LL_SCOPE_ALL if abi >= 6 else 0)
    size = 8 if abi < 4 else 16 if abi < 6 else 24
    libc = _libc()
    ruleset = _call("landlock_create_ruleset", libc.syscall(
        SYS_LANDLOCK_CREATE, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0)))
    file_rights = LL_EXECUTE | LL_WRITE_FILE | LL_READ_FILE | (fs & (LL_TRUNCATE | LL_IOCTL_DEV))

    def allow(path: Path | str, rights: int) -> None:
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            return
        try:
            if not stat.S_ISDIR(os.fstat(fd).st_mode):
                rights &= file_rights
            rule = _PathBeneath(rights, fd)
            _call(f"landlock_add_rule {path}", libc.syscall(
                SYS_LANDLOCK_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(1),
                ctypes.byref(rule), ctypes.c_uint32(0)))
        finally:
            os.close(fd)

    try:
        for path in read:
            allow(path, LL_EXECUTE | LL_READ_FILE | LL_READ_DIR)
        for device in devices:
            allow(device, LL_READ_FILE | LL_WRITE_FILE | (fs & LL_TRUNCATE))
        for path in write:
            allow(path, fs)
        allow(Path("/proc/self").resolve(), LL_READ_FILE | LL_READ_DIR)
        _call("landlock_restrict_self", libc.syscall(
            SYS_LANDLOCK_RESTRICT, ctypes.c_int(ruleset), ctypes.c_uint32(0)))
    finally:
        os.close(ruleset)


def _user_processes(uid: int) -> int:
    count = 0
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and entry.stat().st_uid == uid:
                count += 1
        except OSError:
            continue
    return count


def _rlimits(limits: Limits, own_uid: bool) -> str:
    cpu = math.ceil(limits.notebook_timeout) + 5
    nproc = limits.processes if own_uid else _user_processes(os.getuid()) + limits.processes
    for which, value in ((resource.RLIMIT_AS, limits.memory_bytes),
                         (resource.RLIMIT_FSIZE, limits.file_bytes),
                         (resource.RLIMIT_NPROC, nproc), (resource.RLIMIT_CORE, 0)):
        resource.setrlimit(which, (value, value))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    return (f"rlimits: {limits.memory_bytes / 1024**3:g} GB address space, "
            f"{limits.file_bytes / 1024**2:g} MB per file, {nproc} processes, {cpu} CPU s")


def keep_only_fd(keep: int) -> None:
    """stdin, stdout and stderr on /dev/null; every other descriptor but ``keep`` closed."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.closerange(3, keep)
    os.closerange(keep + 1, os.sysconf("SC_OPEN_MAX"))


def isolate(limits: Limits, workdir: Path, protect: Iterable[str], uid: int | None,
            keep_fd: int) -> list[str]:
    """Confine this (forked) process before learner code runs; what was applied."""
    applied = []
    as_root = os.geteuid() == 0 and uid is not None
    os.umask(0o022)
    roots = read_roots(protect)
    if as_root:
        _call("unshare", _libc().unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC))
        _mount(None, "/", None, MS_REC | MS_PRIVATE)
        applied.append("private mount, network and IPC namespaces")
        applied.extend(_expose(roots))
    applied.append(_rlimits(limits, as_root))
    if as_root:
        assert uid is not None
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
        applied.append(f"uid and gid {uid}, no supplementary groups")
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    keep_only_fd(keep_fd)
    abi = landlock_abi()
    if abi:
        landlock(roots, [workdir], DEVICES, abi)
        applied.append(f"Landlock ABI {abi}: read-only system and Python folders, "
                       f"writable working copy{', no TCP' if abi >= 4 else ''}"
                       f"{', no signals or abstract sockets outside' if abi >= 6 else ''}")
    else:
        applied.append("no Landlock in this kernel")
    os.chdir(workdir)
    os.environ.clear()
    os.environ.update(PATH=os.defpath, HOME=str(workdir), TMPDIR=str(workdir),
                      LANG="C.UTF-8", NBGRADER_EXECUTION="autograde",
                      MPLBACKEND="module://matplotlib_inline.backend_inline",
                      OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
                      PYTHONDONTWRITEBYTECODE="1")
    tempfile.tempdir = None
    signal.signal(signal.SIGINT, signal.default_int_handler)
    return applied
