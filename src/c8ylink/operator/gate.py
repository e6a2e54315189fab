"""The mode gate and the write confirmation every REST command passes through (go-c8y-cli.md §5.3, §5.4).

A command states what it is (``CommandIntent``); ``WriteGate.check(intent)`` then

1. lets ``--dry`` runs and allowed actions through;
2. for an action the session mode does not allow: on a terminal shows "Session Mode Mismatch" with the
   session banner and asks; declining exits 2; without a terminal fails with go-c8y-cli's message
   (exit 101);
3. asks for confirmation when the method is in ``settings.session.confirmation`` (default
   ``PUT POST DELETE``), unless ``--force``, CI mode or ``--dry``; ``a`` = yes to all for the rest of
   the batch; ``n`` or Ctrl-C exits 2. Without a terminal a confirmation is an error naming ``--force``.
"""

from __future__ import annotations

from dataclasses import dataclass

from c8ylink.core.errors import SessionError, UsageError
from c8ylink.infra.prompts import PromptCancelled, Prompter
from c8ylink.operator.modes import DISABLED_EXIT, METHOD_ACTIONS, allows, disabled_message


@dataclass(frozen=True, slots=True)
class CommandIntent:
    """``command``: ``c8y inventory create``; ``action``: read/create/update/delete (from the method
    unless the command says otherwise); ``description``: the confirmation text (``Create managed object``);
    ``target``: what it acts on (``name=hello``)."""

    command: str
    method: str
    description: str = ""
    target: str = ""
    action: str = ""

    @property
    def kind(self) -> str:
        return self.action or METHOD_ACTIONS.get(self.method.upper(), "read")


@dataclass(frozen=True, slots=True)
class GateOptions:
    mode: str
    ci: bool = False
    confirmation: frozenset[str] = frozenset({"PUT", "POST", "DELETE"})
    force: bool = False
    confirm: bool = False  # --confirm: ask even for methods not in the list
    confirm_text: str = ""
    dry: bool = False
    banner: str = ""  # the session banner shown with the mode mismatch question


def parse_confirmation(text: str | None) -> frozenset[str]:
    if text is None:
        return frozenset({"PUT", "POST", "DELETE"})
    return frozenset(part.upper() for part in text.replace(",", " ").split())


class WriteGate:
    """One per command run; remembers "yes to all" across the jobs of a batch."""

    def __init__(
        self, options: GateOptions, prompter: Prompter, *, mode_prompter: Prompter | None = None
    ) -> None:
        self.options = options
        self.prompter = prompter
        self.mode_prompter = mode_prompter or prompter  # asks the "Session Mode Mismatch" question
        self._yes_to_all = False

    def check(self, intent: CommandIntent) -> None:
        self.check_mode(intent)
        self.confirm(intent)

    def check_mode(self, intent: CommandIntent) -> None:
        options = self.options
        if options.dry or allows(options.mode, intent.kind):
            return
        prompter = self.mode_prompter
        if not prompter.interactive:
            raise SessionError(disabled_message(intent.kind), exit_code=DISABLED_EXIT)
        prompter.write(_mismatch_text(intent, options))
        question = f"Confirm: run {intent.command} anyway (mode {options.mode})?"
        if not prompter.confirm(question, default=False):
            raise PromptCancelled(f"{intent.command} was not run (session mode {options.mode})")

    def confirm(self, intent: CommandIntent) -> None:
        options = self.options
        if options.dry or options.force or options.ci or options.mode == "ci" or self._yes_to_all:
            return
        if intent.method.upper() not in options.confirmation and not options.confirm:
            return
        text = options.confirm_text or intent.description or intent.command
        label = f"{text} on {intent.target}?" if intent.target else f"{text}?"
        if not self.prompter.interactive:
            raise UsageError(f"{label.rstrip('?')} needs confirmation: no terminal to ask on (add --force)")
        question = f"{label} [y] Yes [a] Yes to All [n] No. Default is 'y'"
        while True:
            answer = self.prompter.text(question, required=False).strip().lower() or "y"
            if answer in ("y", "yes"):
                return
            if answer in ("a", "all"):
                self._yes_to_all = True
                return
            if answer in ("n", "no"):
                raise PromptCancelled(f"{intent.command} was cancelled")


def _mismatch_text(intent: CommandIntent, options: GateOptions) -> str:
    command = intent.command
    return (
        f"\nSession Mode Mismatch This command ({command}) is disabled in the session\n\n"
        "Check the following session information and then confirm the type of action.\n"
        f"{options.banner}\n"
        "Tip You can permanently change the session mode by using either:\n"
        "  * set-session --mode dev (set the mode when selecting the session)\n"
        "  * c8y settings update mode dev (set the default mode for the current session "
        "(requires reloading the session))\n"
        f"  * {command} --sessionMode dev (set mode for a single command)\n"
    )
