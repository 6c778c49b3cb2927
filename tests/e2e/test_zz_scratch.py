from tests.e2e.test_accessibility import live_session, report  # noqa
from tests.e2e.conftest import AXE_JS
RUN = """async () => { const r = await axe.run(document, {runOnly: {type: 'tag', values: ['best-practice','wcag22aa','wcag2aaa']}});
 return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))})); }"""
def test_scratch(login, people, live_session):
    s = live_session
    found = {}
    for who, urls in [("facilitator", ["/", "/kader/", "/draaiboeken/gesprekstafel-1-start/", f"/sessies/{s.pk}/", f"/sessies/{s.pk}/regie/", f"/sessies/{s.pk}/projectie/", "/sessies/nieuw/"]),
                      ("secretary", [f"/sessies/{s.pk}/notuleren/", f"/sessies/{s.pk}/verslag/", f"/sessies/{s.pk}/verslag/versturen/"])]:
        page = login(people[who]).new_page()
        for url in urls:
            page.goto(url); page.add_script_tag(path=str(AXE_JS))
            v = page.evaluate(RUN)
            if v: found[url] = v
    print(report(found))
