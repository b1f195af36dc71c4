"""``sarguard import --stack NAME``: write the stack that declares the live org (``--fix``: the
compliant version), its email bodies and a ``pulumi import --file`` plan."""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sarguard.commands.common import add_project_argument
from sarguard.commands.org import add_org_arguments
from sarguard.errors import UsageError

# pulumi/pulumi sdk/go/common/tokens/names.go (stackNameRegexp): what `pulumi stack init` takes.
STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
# A component name that is also a plain file/URN segment (the children's names derive from it).
COMPONENT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,99}$")


def _component_name(value: str) -> str:
    if not COMPONENT_NAME.fullmatch(value):
        raise argparse.ArgumentTypeError(f"expected a name of letters, digits, '-', '_' and '.' "
                                         f"starting with a letter; got {value!r}")
    return value


def _brands(value: str) -> list[str] | None:
    if value.strip() == "all":
        return None
    names = [v.strip() for v in value.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(f"expected all or a comma-separated list of brand ids; got {value!r}")
    return names


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stack", required=True, metavar="NAME",
                        help="the stack to write: <stackConfigDir>/Pulumi.<NAME>.yaml and import-<NAME>.json")
    parser.add_argument("--brands", type=_brands, default=None, metavar="all|ID,...",
                        help="the brands to declare: all (default), or ids (default for the "
                             "default brand, or names)")
    parser.add_argument("--fix", action="store_true",
                        help="write what the org should be (every mandatory control passing), not "
                             "what it is; the changes are listed by control id")
    parser.add_argument("--hook-url", metavar="URL",
                        help="with --fix: declare a report hook to this https URL when none is subscribed")
    parser.add_argument("--force", action="store_true",
                        help="replace files that exist already (without it, they are listed and nothing is written)")
    parser.add_argument("--component-name", type=_component_name, default=None, metavar="NAME",
                        help="the name the program gives SuspiciousActivityReporting (default "
                             "suspicious-activity-reporting): the import file is parented to it")
    parser.add_argument("--raw", action="store_true",
                        help="write only an import file of plain pulumi-okta resources (no "
                             "component, settings or bodies) for `pulumi import --generate-code`")
    add_project_argument(parser)
    add_org_arguments(parser, org_from_stack=False)  # --stack names the stack it writes


@dataclass
class _Project:
    directory: Path
    project: dict[str, Any]
    stack_file: str  # relative to the project directory
    import_file: str


def _project(args: argparse.Namespace) -> _Project:
    """The Pulumi project to write into (refused elsewhere) and the two fixed targets."""
    from sarguard.adopt.errors import AdoptError
    from sarguard.pulumi.stack import PROJECT_FILE, find_project_dir, load_project, stack_file_path

    if not STACK_NAME.fullmatch(args.stack) or args.stack in (".", ".."):
        raise UsageError(f"invalid stack name {args.stack!r}: use letters, digits, '-', '_' and '.' "
                         "(what `pulumi stack init` accepts)")
    if args.project_dir is not None:
        directory = Path(args.project_dir).resolve()
        if not (directory / PROJECT_FILE).is_file():
            raise AdoptError(f"not a Pulumi project: {directory} has no {PROJECT_FILE}; run "
                             "sarguard import in the project (or give --project-dir)")
    else:
        try:
            directory = find_project_dir(Path.cwd())
        except Exception as exc:  # StackFileError: no Pulumi.yaml upwards
            raise AdoptError(f"not in a Pulumi project: {exc}; run sarguard import in the "
                             "project's directory (or give --project-dir)") from None
    project, _ = load_project(directory)
    runtime = project.get("runtime")
    name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if name != "python" and not args.raw:  # --raw: pulumi writes the code, in any language
        raise AdoptError(f"not a Python project: {directory / PROJECT_FILE} has runtime "
                         f"{name!r}; sarguard's component is Python (runtime: python); for another "
                         "language use --raw (plain pulumi-okta resources)")
    stack_path = stack_file_path(directory, project, args.stack)
    if not stack_path.is_relative_to(directory):
        raise AdoptError(f"stackConfigDir puts the stack file at {stack_path}, outside the project "
                         f"{directory}; sarguard import writes only inside the project")
    return _Project(directory, project, str(stack_path.relative_to(directory).as_posix()),
                    f"import-{args.stack}.json")


def run(args: argparse.Namespace) -> int:
    from sarguard.adopt.errors import AdoptError
    from sarguard.adopt.placement import refuse_existing
    from sarguard.commands.live import progress_reporter, progress_wanted, unreachable_message
    from sarguard.commands.org import make_client
    from sarguard.evidence.liveread import read_org
    from sarguard.okta.errors import OktaError
    from sarguard.settings.loader import hook_url_problem

    if args.raw and (args.fix or args.component_name):
        raise UsageError("--raw imports the org as it is, as plain pulumi-okta resources: it "
                         "takes neither --fix nor --component-name")
    if args.hook_url is not None:
        if not args.fix:
            raise UsageError("--hook-url declares a hook the org does not have, which is a fix: "
                             "add --fix")
        problem = hook_url_problem(args.hook_url)
        if problem:
            raise UsageError(f"--hook-url: {problem}")
    target = _project(args)
    if not args.force:  # before the org is read: a typo must not cost an API budget
        refuse_existing(target.directory,
                        [target.import_file] if args.raw else [target.stack_file, target.import_file])
    client = make_client(args, None)
    org_url = client.endpoint.url
    try:
        with progress_reporter(progress_wanted()) as progress:  # a large org takes a few seconds
            state = read_org(client, since=None, until=None, brands=args.brands, progress=progress)
    except OktaError as exc:  # the credential refused included
        raise AdoptError(unreachable_message(exc, org_url)) from None
    if client.deadline_passed:  # a stack written from part of the org would declare less
        unread = "".join(f"\n  - {key}: {reason}" for key, reason in sorted(state.unread.items()))
        raise AdoptError(f"cannot import {org_url}: the run's deadline (--deadline "
                         f"{args.deadline:g} s) passed before the org was read; nothing was "
                         f"written{unread}")
    read_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return _write(args, target, state, read_at)


def _write(args: argparse.Namespace, target: _Project, state: Any, read_at: str) -> int:
    from sarguard.adopt.check import still_failing
    from sarguard.adopt.fixes import apply_fixes
    from sarguard.adopt.importfile import import_document, import_text, needs_logical_names
    from sarguard.adopt.names import DEFAULT_COMPONENT_NAME
    from sarguard.adopt.ownership import refuse_other_stacks_files
    from sarguard.adopt.placement import place
    from sarguard.adopt.plan import build_plan
    from sarguard.adopt.stackfile import body_files, stack_document
    from sarguard.adopt.validate import staged_check

    plan = build_plan(state)
    component = args.component_name or DEFAULT_COMPONENT_NAME
    if args.raw:
        files = {target.import_file: import_text(plan, raw=True).encode("utf-8")}
        if args.force:
            refuse_other_stacks_files(target.directory, args.stack, files)
        place(target.directory, files, force=args.force, check=lambda _staging: None)
        _report(args, target, plan, [], [], 0)
        return 0
    fixes = apply_fixes(plan, args.hook_url) if args.fix else []
    document = stack_document(plan, args.stack, read_at)
    files = {target.stack_file: document.text().encode("utf-8"),
             target.import_file: import_text(plan, component).encode("utf-8"),
             **body_files(plan, args.stack)}
    if args.force:  # this stack's own files may be replaced; another stack's bodies never
        refuse_other_stacks_files(target.directory, args.stack, files)
    place(target.directory, files, force=args.force,
          check=staged_check(document, target.project, args.stack, target.stack_file,
                             target.directory))
    if needs_logical_names(import_document(plan, component)):
        plan.warnings.append("the hook's name is the component's: import-"
                             f"{args.stack}.json renames the component's entry and needs Pulumi "
                             "3.98 or later (logicalName)")
    _report(args, target, plan, fixes, still_failing(plan) if args.fix else [], len(files) - 2)
    return 0


def _report(args: argparse.Namespace, target: _Project, plan: Any, fixes: list, failing: list,
            bodies: int) -> None:
    from sarguard.adopt.nextsteps import (
        IGNORES,
        WAIVERS,
        main_file,
        next_steps,
        program_lines,
        raw_next_steps,
    )
    from sarguard.adopt.plan import shown
    from sarguard.adopt.stackfile import TEMPLATES_DIR

    out = sys.stdout
    customizations = len(plan.customizations())
    hook = f", the report hook {shown(plan.hook.name)}" if plan.hook is not None and plan.hook.id else ""
    print(f"sarguard import: read {shown(plan.org_url)}: {len(plan.brands)} brand(s), "
          f"{customizations} customization(s){hook}", file=out)
    if args.raw:
        print(f"wrote {target.import_file} (plain pulumi-okta resources)", file=out)
    else:
        print(f"wrote {target.stack_file}, {target.import_file} and {bodies} email template(s) "
              f"under {TEMPLATES_DIR}/{args.stack}/", file=out)
    for warning in plan.warnings:
        print(f"warning: {shown(warning)}", file=sys.stderr)
    if args.fix:
        print(f"fixes ({len(fixes)}):" if fixes else "fixes: none needed", file=out)
        for fix in fixes:
            print(f"  {fix.control}  {shown(fix.resource)}: {shown(fix.change)}", file=out)
        for finding in failing:
            print(f"warning: after --fix, {finding.control} still {finding.status.replace('_', ' ')}s: "
                  f"{shown(finding.message)}", file=sys.stderr)
    if args.raw:
        print("next:", file=out)
        for line in raw_next_steps(plan, args.stack, target.import_file):
            print(line, file=out)
        return
    if plan.notifications is None:
        print("the switches are unread: accept that in drift and audit with these entries, then "
              "pass --waivers waivers.yaml --ignore drift-ignore.yaml:", file=out)
        print(WAIVERS, file=out)
        print(IGNORES, file=out)
    program = program_lines(target.directory, target.project, args.component_name)
    main = main_file(target.directory, target.project)
    print("next:", file=out)
    for line in next_steps(plan, args.stack, target.import_file, target.stack_file,
                           policies=(target.directory / "policies").is_dir(), program=program,
                           main_file=main.relative_to(target.directory).as_posix()
                           if main.is_relative_to(target.directory) else main.name):
        print(line, file=out)
    org = "" if plan.provider is not None else f" --org-url {shown(plan.org_url)}"
    print(f"then: sarguard check --stack {args.stack}; sarguard drift --stack {args.stack}{org}",
          file=out)
