"""Expand the compact GitHub list fixtures into the full objects api.github.com returns.

The list endpoints repeat the same user and repository objects in every item; the fixtures keep
only what varies (logins, numbers, dates, shas) and these functions rebuild the rest exactly the
way GitHub derives it (URL templates, avatar URLs, node ids).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from tests.mirror.store import GhRepo, JsonObj, Store

API = "https://api.github.com"
WEB = "https://github.com"
NEW_IDS_SINCE = "2021-07-01"  # objects created after this get "next" global node ids


def _mp_uint(value: int) -> bytes:
    if value < 0x80:
        return bytes([value])
    for marker, width in ((0xCC, 1), (0xCD, 2), (0xCE, 4), (0xCF, 8)):
        if value < 1 << (8 * width):
            return bytes([marker]) + value.to_bytes(width, "big")
    raise ValueError(value)


def _mp_str(text: str) -> bytes:
    raw = text.encode()
    return bytes([0xD9, len(raw)]) + raw if len(raw) < 256 else bytes([0xDA]) + len(raw).to_bytes(2, "big") + raw


def next_node_id(prefix: str, *parts: int | str) -> str:
    """GitHub's "next" global id: ``<prefix>_`` + base64url(msgpack([0, *parts]))."""
    body = bytes([0x90 + len(parts) + 1]) + b"\x00"
    body += b"".join(_mp_uint(p) if isinstance(p, int) else _mp_str(p) for p in parts)
    return f"{prefix}_" + base64.urlsafe_b64encode(body).decode().rstrip("=")


def legacy_node_id(type_name: str, ident: int | str) -> str:
    """GitHub's legacy global id: base64("<len>:<Type><id>")."""
    return base64.b64encode(f"0{len(type_name)}:{type_name}{ident}".encode()).decode()


def node_id(legacy_type: str, next_prefix: str, created_at: str | None, *parts: int | str) -> str:
    """Legacy id for objects created before the switch, "next" id afterwards."""
    if created_at is not None and created_at >= NEW_IDS_SINCE:
        return next_node_id(next_prefix, *parts)
    ident = ":".join(str(p) for p in parts)
    return legacy_node_id(legacy_type, ident)


def simple_user(store: Store, login: str) -> JsonObj:
    """The ``simple-user`` object for ``login`` (data from ``github/_users.json``)."""
    record = store.gh_user(login)
    uid = int(record["id"])
    kind = record.get("type", "User")
    url = f"{API}/users/{login}"
    return {
        "login": login,
        "id": uid,
        "node_id": record.get("node_id") or legacy_node_id(str(kind), uid),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4",
        "gravatar_id": "",
        "url": url,
        "html_url": f"{WEB}/{login}",
        "followers_url": f"{url}/followers",
        "following_url": f"{url}/following{{/other_user}}",
        "gists_url": f"{url}/gists{{/gist_id}}",
        "starred_url": f"{url}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{url}/subscriptions",
        "organizations_url": f"{url}/orgs",
        "repos_url": f"{url}/repos",
        "events_url": f"{url}/events{{/privacy}}",
        "received_events_url": f"{url}/received_events",
        "type": kind,
        "user_view_type": "public",
        "site_admin": bool(record.get("site_admin", False)),
    }


def contributor(store: Store, item: JsonObj) -> JsonObj:
    """``/contributors`` item: a simple user plus ``contributions``."""
    return {**simple_user(store, item["login"]), "contributions": item["contributions"]}


def _git_person(person: JsonObj) -> JsonObj:
    return {"name": person["name"], "email": person["email"], "date": person["date"]}


def commit(store: Store, repo: GhRepo, item: JsonObj) -> JsonObj:
    """``/commits`` item from the compact record."""
    base = f"{API}/repos/{repo.repo['full_name']}"
    sha = item["sha"]
    verified = bool(item.get("verified", False))
    author, committer = item["author"], item["committer"]
    return {
        "sha": sha,
        "node_id": node_id("Commit", "C", author["date"], int(repo.repo["id"]), sha),
        "commit": {
            "author": _git_person(author),
            "committer": _git_person(committer),
            "message": item["message"],
            "tree": {"sha": item["tree"], "url": f"{base}/git/trees/{item['tree']}"},
            "url": f"{base}/git/commits/{sha}",
            "comment_count": 0,
            "verification": {
                "verified": verified,
                "reason": "valid" if verified else "unsigned",
                "signature": item.get("signature"),
                "payload": item.get("payload"),
                "verified_at": committer["date"] if verified else None,
            },
        },
        "url": f"{base}/commits/{sha}",
        "html_url": f"{WEB}/{repo.repo['full_name']}/commit/{sha}",
        "comments_url": f"{base}/commits/{sha}/comments",
        "author": simple_user(store, author["login"]) if author.get("login") else None,
        "committer": simple_user(store, committer["login"]) if committer.get("login") else None,
        "parents": [
            {"sha": p, "url": f"{base}/commits/{p}", "html_url": f"{WEB}/{repo.repo['full_name']}/commit/{p}"}
            for p in item.get("parents", [])
        ],
    }


def _repository(repo: GhRepo) -> JsonObj:
    """``repository`` object as embedded in pulls (the full repo minus org/network fields)."""
    drop = {"organization", "network_count", "subscribers_count", "temp_clone_token", "parent", "source"}
    return {k: v for k, v in repo.repo.items() if k not in drop}


def _fork(store: Store, repo: GhRepo, full_name: str, repo_id: int) -> JsonObj:
    owner, name = full_name.split("/", 1)
    text = json.dumps(_repository(repo)).replace(f"/{repo.repo['full_name']}", f"/{full_name}")
    forked: dict[str, Any] = json.loads(text)
    forked.update(
        {
            "id": repo_id,
            "node_id": next_node_id("R", repo_id),
            "name": name,
            "full_name": full_name,
            "owner": simple_user(store, owner),
            "fork": True,
            "stargazers_count": 0,
            "watchers_count": 0,
            "watchers": 0,
            "forks_count": 0,
            "forks": 0,
            "open_issues_count": 0,
            "open_issues": 0,
            "topics": [],
            "has_issues": False,
        }
    )
    return forked


def _branch(store: Store, repo: GhRepo, side: JsonObj) -> JsonObj:
    head_repo = side.get("repo", repo.repo["full_name"])
    if head_repo is None:
        return {
            "label": side.get("label", f"unknown:{side['ref']}"),
            "ref": side["ref"],
            "sha": side["sha"],
            "user": None,
            "repo": None,
        }
    if isinstance(head_repo, dict):
        full, embedded = head_repo["full_name"], _fork(store, repo, head_repo["full_name"], head_repo["id"])
    else:
        full, embedded = head_repo, _repository(repo)
    owner = full.split("/", 1)[0]
    return {
        "label": f"{owner}:{side['ref']}",
        "ref": side["ref"],
        "sha": side["sha"],
        "user": simple_user(store, owner),
        "repo": embedded,
    }


def pull(store: Store, repo: GhRepo, item: JsonObj) -> JsonObj:
    """``/pulls`` item from the compact record.

    Built field by field, so the detail-only values the record also keeps (``additions``, ``merged_by``,
    ``mergeable``...) stay out of it, as they are absent from GitHub's list items.
    """
    full = repo.repo["full_name"]
    base = f"{API}/repos/{full}"
    num = item["number"]
    pr_url, issue_url = f"{base}/pulls/{num}", f"{base}/issues/{num}"
    head_sha = item["head"]["sha"]
    return {
        "url": pr_url,
        "id": item["id"],
        "node_id": node_id("PullRequest", "PR", item["created_at"], int(repo.repo["id"]), int(item["id"])),
        "html_url": f"{WEB}/{full}/pull/{num}",
        "diff_url": f"{WEB}/{full}/pull/{num}.diff",
        "patch_url": f"{WEB}/{full}/pull/{num}.patch",
        "issue_url": issue_url,
        "number": num,
        "state": item["state"],
        "locked": item.get("locked", False),
        "title": item["title"],
        "user": simple_user(store, item["user"]),
        "body": item.get("body"),
        "created_at": item["created_at"],
        "updated_at": item["updated_at"],
        "closed_at": item.get("closed_at"),
        "merged_at": item.get("merged_at"),
        "merge_commit_sha": item.get("merge_commit_sha"),
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [simple_user(store, u) for u in item.get("requested_reviewers", [])],
        "requested_teams": [],
        "labels": item.get("labels", []),
        "milestone": None,
        "draft": item.get("draft", False),
        "commits_url": f"{pr_url}/commits",
        "review_comments_url": f"{pr_url}/comments",
        "review_comment_url": f"{base}/pulls/comments{{/number}}",
        "comments_url": f"{issue_url}/comments",
        "statuses_url": f"{base}/statuses/{head_sha}",
        "head": _branch(store, repo, item["head"]),
        "base": _branch(store, repo, {**item["base"], "repo": full}),
        "_links": {
            "self": {"href": pr_url},
            "html": {"href": f"{WEB}/{full}/pull/{num}"},
            "issue": {"href": issue_url},
            "comments": {"href": f"{issue_url}/comments"},
            "review_comments": {"href": f"{pr_url}/comments"},
            "review_comment": {"href": f"{base}/pulls/comments{{/number}}"},
            "commits": {"href": f"{pr_url}/commits"},
            "statuses": {"href": f"{base}/statuses/{head_sha}"},
        },
        "author_association": item.get("author_association", "CONTRIBUTOR"),
        "auto_merge": None,
        "active_lock_reason": None,
    }


PULL_LINE_COUNTS = ("commits", "additions", "deletions", "changed_files")


def pull_detail(store: Store, repo: GhRepo, item: JsonObj) -> JsonObj:
    """``/pulls/{n}`` object: the list item plus the fields only the single-PR endpoint returns.

    GitHub computes mergeability lazily and not at all for closed pull requests: those answer
    ``mergeable``/``rebaseable`` ``null`` and ``mergeable_state`` ``"unknown"`` (the defaults here);
    open ones carry recorded values. ``maintainer_can_modify`` is only ever true for an open PR from a fork.
    """
    head_repo = item["head"].get("repo", repo.repo["full_name"])
    from_fork = isinstance(head_repo, dict)
    return {
        **pull(store, repo, item),
        "merged": item.get("merged_at") is not None,
        "mergeable": item.get("mergeable"),
        "rebaseable": item.get("rebaseable"),
        "mergeable_state": item.get("mergeable_state", "unknown"),
        "merged_by": simple_user(store, item["merged_by"]) if item.get("merged_by") else None,
        "comments": item.get("comments", 0),
        "review_comments": item.get("review_comments", 0),
        "maintainer_can_modify": bool(item.get("maintainer_can_modify", item["state"] == "open" and from_fork)),
        **{name: item[name] for name in PULL_LINE_COUNTS},
    }


def review(store: Store, repo: GhRepo, number: int, item: JsonObj) -> JsonObj:
    """``/pulls/{n}/reviews`` item from the compact record."""
    full = repo.repo["full_name"]
    html = f"{WEB}/{full}/pull/{number}#pullrequestreview-{item['id']}"
    return {
        "id": item["id"],
        "node_id": node_id("PullRequestReview", "PRR", item["submitted_at"], int(repo.repo["id"]), int(item["id"])),
        "user": simple_user(store, item["user"]),
        "body": item.get("body", ""),
        "state": item["state"],
        "html_url": html,
        "pull_request_url": f"{API}/repos/{full}/pulls/{number}",
        "author_association": item.get("author_association", "MEMBER"),
        "_links": {"html": {"href": html}, "pull_request": {"href": f"{API}/repos/{full}/pulls/{number}"}},
        "submitted_at": item["submitted_at"],
        "commit_id": item["commit_id"],
    }
