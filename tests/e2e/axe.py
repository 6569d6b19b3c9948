"""axe-core in the browser tests: run it on the page as it is now and fail on any violation.

axe-core (tests/vendor/axe-core, MPL-2.0) checks WCAG 2.1 A and AA and axe's best practices. A page is checked in
one line, in any state a test has brought it to: `assert_accessible(page, "student page, question open")`.
"""

from pathlib import Path

AXE_SOURCE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

# Run through the DevTools protocol, so a page's Content-Security-Policy does not stop it.
RUN_AXE = """async (tags) => {
    const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
    return result.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        nodes: violation.nodes.map((node) => ({target: node.target.join(" "), summary: node.failureSummary})),
    }));
}"""


def axe_violations(page) -> list[dict]:
    """The violations axe-core finds on the page as it is now (empty when it passes)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE.read_text())
    return page.evaluate(RUN_AXE, RULE_TAGS)


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:8]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    {node['target']}: {summary[:300]}")
    return "\n".join(lines)


def assert_accessible(page, what: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe-core finds {len(violations)} kinds of violation on {what} ({page.url}):\n" + describe(
        violations
    )
