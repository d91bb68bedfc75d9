"""`python -m bot demo`: the whole app against the sandbox workspace, replaying how social media
work splits across Marketing, PR and Customer Support, and how Roundtable makes it visible.

No Slack account and no network: the app runs over real HTTP on localhost against the sandbox,
with a SQLite database in a temporary folder.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from bot.local import LocalDeployment, local_deployment
from bot.sandbox import Sandbox
from bot.startup import sync_workspace
from config.settings import Settings
from storage.db import Database

POLICY = """
hub_channel = "{hub}"
admins = ["{ada}"]

[[silos]]
name = "Marketing"
aliases = ["mktg", "marketing", "brand"]
members = ["{maria}"]
representatives = ["{maria}"]

[[silos]]
name = "PR"
aliases = ["pr", "comms", "communications"]
members = ["{priya}"]
representatives = ["{priya}"]

[[silos]]
name = "Customer Support"
aliases = ["cs", "support", "care"]
usergroup = "{support_group}"
representatives = ["{sam}"]

[[silos]]
name = "Legal"
aliases = ["legal", "compliance"]
representatives = ["{lee}"]

[[rules]]
name = "social media"
match = ["social", "twitter", "sentiment", "listening"]
require = ["Marketing", "PR", "Customer Support", "Legal"]
"""


@dataclass
class Cast:
    maria: str
    priya: str
    sam: str
    lee: str
    ada: str
    hub: str
    support_group: str
    mktg_social: str
    pr_listening: str


def build_workspace(sandbox: Sandbox) -> Cast:
    """Acme before Roundtable: three silos, three social media efforts, nobody talking."""
    add = sandbox.add_user
    maria = add("maria", real_name="Maria Lopez", title="Marketing Manager", tz="America/Chicago")
    priya = add("priya", real_name="Priya Shah", title="PR Lead", tz="Europe/London")
    sam = add("sam", real_name="Sam Okafor", title="Support Team Lead", tz="America/New_York")
    lee = add("lee", real_name="Lee Chen", title="Legal Counsel", tz="America/Los_Angeles")
    ada = add("ada", real_name="Ada Brooks", title="Chief of Staff", tz="America/Chicago")
    support = sandbox.add_usergroup("support", name="Customer Support", users=[sam])
    hub = sandbox.add_channel("coe-hub", creator=ada, purpose="Cross-silo coordination")
    mktg = sandbox.add_channel(
        "mktg-social", creator=maria, purpose="Brand campaigns on Twitter and Instagram"
    )
    pr = sandbox.add_channel(
        "pr-social-listening", creator=priya, purpose="Track brand sentiment on social media"
    )
    return Cast(maria, priya, sam, lee, ada, hub, support, mktg, pr)


async def play(deployment: LocalDeployment, cast: Cast) -> None:
    sandbox = deployment.sandbox
    coe = sandbox.driver.command
    mktg, pr = cast.mktg_social, cast.pr_listening
    sentiment = '"Brand sentiment tracking" -- weekly report on what people say about us'

    await sync_workspace(deployment.services, sandbox.bot_token)
    await coe("/coe", f"claim <#{mktg}|mktg-social>", user_id=cast.maria, channel_id=mktg)
    await coe("/coe", f"claim <#{pr}|pr-social-listening>", user_id=cast.priya, channel_id=pr)
    care = await sandbox.human.create_channel(
        cast.sam, "cs-social-complaints", purpose="Answer complaints on Twitter and Facebook"
    )
    heads_up = sandbox.messages(sandbox.dm_channel_id(cast.sam))[-1]
    await coe("/coe", "claim #cs-social-complaints", user_id=cast.sam)
    await sandbox.driver.click(cast.sam, "overlap_related", message=heads_up)
    await coe("/coe", f"claim {sentiment}", user_id=cast.priya)
    await coe("/coe", f"claim <#{mktg}|mktg-social>", user_id=cast.priya, channel_id=mktg)
    notice = sandbox.messages(sandbox.dm_channel_id(cast.maria))[-1]
    await sandbox.driver.click(cast.maria, "share_ownership", message=notice)
    await sandbox.driver.click(
        cast.priya, "share_ownership", message=sandbox.ephemerals(cast.priya)[-1]
    )
    await coe("/coe", "dupes all", user_id=cast.ada)
    await coe("/coe", "silos", user_id=cast.ada)
    await sandbox.human.deactivate_user(cast.sam)
    await coe("/coe", f"who <#{care}|cs-social-complaints>", user_id=cast.ada)
    await sandbox.human.open_app_home(cast.priya)


PREMISE = """\
Roundtable demo: Acme, a company where Marketing, PR and Customer Support each run social media
in their own silo. Everything below is the real app over HTTP against a sandbox workspace.
"""


async def run_demo(out: Path | None) -> int:
    with tempfile.TemporaryDirectory(prefix="roundtable-demo-") as scratch:
        transcript = PREMISE + "\n" + await _run(Path(scratch))
    print(transcript)
    if out:
        print(f"\nWrote {_save(out, transcript)}")
    return 0


def _save(out: Path, transcript: str) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / "transcript.txt"
    path.write_text(transcript + "\n")
    return path


async def _run(scratch: Path) -> str:
    db = Database(f"sqlite+aiosqlite:///{scratch / 'demo.db'}")
    await db.migrate()
    async with Sandbox(team_id="T0ACME00001", team_name="Acme") as sandbox:
        cast = build_workspace(sandbox)
        policy = scratch / "policy.toml"
        policy.write_text(POLICY.format(**vars(cast)))
        settings = Settings(policy_path=policy)
        async with local_deployment(sandbox, db, settings=settings) as deployment:
            await play(deployment, cast)
        transcript = sandbox.transcript()
    await db.dispose()
    return transcript
