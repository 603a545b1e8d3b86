"""Write the sample organisation's job descriptions as .docx and .txt (deterministic).

    python tools/make_sample_jds.py [--out FOLDER]

Writes one job description per role of the fictional Northmoor Rural Health NHS Trust
to ``src/competency/data/sample-org/job-descriptions/``: ``SLUG.docx`` (headings,
paragraphs, bullet lists and a person specification table) and ``SLUG.txt`` with the
same content, laid out exactly as :func:`competency.hr.documents.read_document` extracts
the .docx (one line per paragraph; table cells joined by ``" | "``, one line per row),
so the two always give the same suggestions. Running it twice gives identical bytes.
"""

from __future__ import annotations

import argparse
import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import docx

OUT = (Path(__file__).resolve().parent.parent / "src" / "competency" / "data" / "sample-org"
       / "job-descriptions")
TRUST = "Northmoor Rural Health NHS Trust"
FIXED = datetime(2026, 1, 5, 9, 0, 0)
ZIP_TIME = (2026, 1, 5, 9, 0, 0)
SPEC_HEADER = ("Criterion", "Essential or desirable", "How assessed")

CLOSING = [
    "General responsibilities",
    "All staff must follow the Trust's policies on health and safety, infection prevention, "
    "safeguarding and information governance, keep personal information confidential and "
    "complete statutory and mandatory training.",
    "Working for us",
    "Northmoor Rural Health NHS Trust is an equal opportunities employer and welcomes "
    "applications from all sections of the community. We are a Disability Confident employer "
    "and guarantee an interview to disabled applicants who meet the essential criteria.",
]


@dataclass(frozen=True)
class JobDescription:
    """One sample job description."""

    slug: str
    """File name without extension."""
    title: str
    """Job title."""
    band: str
    """Pay band and hours."""
    purpose: str
    """The job purpose paragraph."""
    duties: tuple[str, ...]
    """Main duties, one bullet each."""
    spec: tuple[tuple[str, str, str], ...]
    """Person specification rows: criterion, essential/desirable, how assessed."""


JDS: tuple[JobDescription, ...] = (
    JobDescription(
        "receptionist", "Receptionist", "Band 2, 30 hours, Northmoor Market Town Surgery",
        "The receptionist is the first person most patients meet. You will welcome patients, "
        "book appointments and make sure everyone, whatever their language, disability or "
        "background, can use the surgery with confidence.",
        ("Greet patients in person and on the telephone and book, change and cancel "
         "appointments.",
         "Arrange a professional interpreter when a patient speaks little English; do not ask "
         "family members or children to interpret.",
         "Record and flag patients' communication needs, such as large print or British Sign "
         "Language, so that letters and appointments meet them.",
         "Ask patients to describe their own ethnic group and first language when registering, "
         "and record what they say rather than guessing.",
         "Report any racist abuse or discriminatory behaviour you see or experience, and "
         "support colleagues who are on the receiving end.",
         "Process repeat prescription requests and scan correspondence."),
        (("Good standard of literacy and numeracy", "Essential", "Application"),
         ("Experience of customer service", "Essential", "Application, interview"),
         ("Treats people fairly and recognises own assumptions about others", "Essential",
          "Interview"),
         ("Knows the basics of the Equality Act 2010 and the protected characteristics",
          "Essential", "Training"),
         ("Experience of working in a GP surgery", "Desirable", "Application"))),
    JobDescription(
        "healthcare-assistant", "Healthcare Assistant", "Band 3, 37.5 hours, Moorside "
        "Community Hospital",
        "You will give personal care to patients on a community hospital ward under the "
        "direction of registered nurses, treating every patient with dignity and respect.",
        ("Help patients with washing, dressing, eating and mobility, respecting their privacy.",
         "Find out each patient's faith, dietary customs and preferences for personal care and "
         "make sure they are written into the care plan and met.",
         "Use the ward's telephone interpreting service and picture boards with patients whose "
         "first language is not English.",
         "Treat patients in line with the FREDA values of fairness, respect, equality, dignity "
         "and autonomy.",
         "Challenge and report racist or discriminatory remarks from patients, visitors or "
         "staff.",
         "Record observations and report changes to the nurse in charge."),
        (("Care Certificate or willingness to complete it", "Essential", "Application"),
         ("Caring, non-judgemental attitude and awareness of own values and beliefs",
          "Essential", "Interview"),
         ("Experience of caring for people from different cultures", "Desirable", "Interview"),
         ("NVQ level 3 in health and social care", "Desirable", "Application"))),
    JobDescription(
        "community-nurse", "Community Staff Nurse", "Band 5, full time, North Moors district "
        "nursing team",
        "You will assess, plan and deliver nursing care to housebound adults in their homes "
        "across a large rural area with small, scattered minority ethnic communities.",
        ("Assess nursing needs and plan, give and evaluate care in people's homes.",
         "Use professional interpreters for assessments and care planning, including British "
         "Sign Language interpreters, and meet patients' needs under the Accessible Information "
         "Standard.",
         "Plan care that respects each person's culture, faith and family roles in decisions.",
         "Work with the county council, the police and domestic abuse services to protect "
         "people at risk, and refer hate crime and domestic abuse to partner agencies.",
         "Recognise and report racist incidents against patients or staff.",
         "Supervise healthcare support workers and students."),
        (("Registered nurse (adult) with the NMC", "Essential", "Application"),
         ("Knowledge of the Equality Act 2010, including reasonable adjustments",
          "Essential", "Application, training"),
         ("Awareness of own assumptions and how they affect care", "Essential", "Interview"),
         ("Full driving licence", "Essential", "Application"),
         ("Community nursing experience", "Desirable", "Application"))),
    JobDescription(
        "gp-practice-manager", "GP Practice Manager", "Band 7, Northmoor Coast Surgery "
        "(list size 8,900)",
        "You will lead the business, staff and patient services of one of the Trust's GP "
        "practices, making sure it meets its legal duties and serves every part of its "
        "community fairly.",
        ("Manage the practice budget, contracts and premises.",
         "Carry out an equality impact assessment before changing opening hours, access or "
         "services, looking at the effect on older people, disabled people and people who "
         "speak little English.",
         "Lead fair recruitment for practice staff: write person specifications, shortlist "
         "consistently against the criteria and make sure interview panels are diverse.",
         "Check the completeness of ethnicity and language recording in the practice and use "
         "the data to see which groups use services less.",
         "Make sure racist incidents against staff are recorded and acted on and that staff "
         "affected are supported.",
         "Run the patient participation group and report back what has changed."),
        (("Management experience in healthcare or a comparable setting", "Essential",
          "Application"),
         ("Knowledge of employment and equality law", "Essential", "Application, interview"),
         ("Experience of recruiting and managing staff", "Essential", "Interview"),
         ("Management qualification", "Desirable", "Application"))),
    JobDescription(
        "commissioning-manager", "Commissioning Manager", "Band 8a, Commissioning and "
        "Contracts",
        "You will plan and buy community services with the county council and the voluntary "
        "and community sector, making sure services reach every community in the county.",
        ("Lead needs assessments that see every community, including small and dispersed "
         "groups such as Gypsy and Traveller families and seasonal workers.",
         "Complete equality impact assessments for commissioning decisions and show due "
         "regard to the public sector equality duty.",
         "Build equality requirements into contracts and monitor providers against them.",
         "Support small voluntary and community organisations to bid for contracts.",
         "Involve patients, carers and community groups in designing services and evaluating "
         "tenders.",
         "Work in partnership with the county council's public health and social care teams."),
        (("Experience of NHS commissioning or contract management", "Essential",
          "Application"),
         ("Understanding of health inequalities and how commissioning can reduce them",
          "Essential", "Interview"),
         ("Experience of community engagement", "Essential", "Application, interview"),
         ("Project management qualification", "Desirable", "Application"))),
    JobDescription(
        "public-health-analyst", "Public Health Analyst", "Band 6, Public Health "
        "Intelligence",
        "You will turn data into evidence that shows how health and the use of services "
        "differ between the county's communities.",
        ("Analyse uptake of screening and immunisation by ethnic group, deprivation and "
         "disability, and compare uptake with need.",
         "Improve the completeness of ethnicity recording and reduce records coded as not "
         "stated.",
         "Suppress small numbers in published tables so that individuals in small communities "
         "cannot be identified.",
         "Provide the evidence for equality impact assessments and the joint strategic needs "
         "assessment.",
         "Share data with partners under information sharing agreements.",
         "Write plain-English briefings for commissioners and the board."),
        (("Degree in a numerate subject or equivalent experience", "Essential", "Application"),
         ("Skills in R, Python or SQL", "Essential", "Test"),
         ("Understanding of equality monitoring data and its limits", "Essential",
          "Interview"),
         ("Knowledge of public health datasets", "Desirable", "Application"))),
    JobDescription(
        "hr-business-partner", "HR Business Partner", "Band 7, People and Organisational "
        "Development",
        "You will advise managers on people matters and lead fairer recruitment, promotion and "
        "employee relations across the Trust's community services.",
        ("Advise managers on the Equality Act 2010: discrimination, harassment, victimisation "
         "and reasonable adjustments.",
         "Analyse disciplinary, promotion and shortlisting data by ethnicity and act on the "
         "Workforce Race Equality Standard results.",
         "Introduce anonymised shortlisting, diverse interview panels and values-based "
         "interviews.",
         "Support the Trust's staff networks and a reverse mentoring programme.",
         "Support staff who experience racism and coach managers to challenge it.",
         "Lead consultations on organisational change."),
        (("CIPD level 7 or equivalent experience", "Essential", "Application"),
         ("Up-to-date knowledge of employment and equality law", "Essential",
          "Application, interview"),
         ("Reflects on own biases and how they shape decisions", "Essential", "Interview"),
         ("NHS experience", "Desirable", "Application"))),
    JobDescription(
        "community-development-worker", "Community Development Worker", "Band 5, Communities "
        "and Engagement",
        "You will build trust between the Trust and the county's small minority ethnic "
        "communities, many of them seldom heard by health services.",
        ("Spend time with community groups, faith groups and informal networks, listening to "
         "their experience of health services.",
         "Bring communities and services together to design changes, and report back to "
         "communities what has changed.",
         "Work with the council, the police, Jobcentre Plus and the Race Equality Council on "
         "shared projects, including support for people who experience hate crime.",
         "Help services use interpreters and translated information well.",
         "Help community groups apply for small grants and take part in commissioning.",
         "Keep records of contacts and activity."),
        (("Experience of community development", "Essential", "Application, interview"),
         ("Awareness of own values and assumptions", "Essential", "Interview"),
         ("A community language", "Desirable", "Interview"))),
    JobDescription(
        "equality-and-diversity-lead", "Equality and Diversity Lead", "Band 8b, People and "
        "Organisational Development",
        "You will lead the Trust's equality strategy and make sure it meets its legal duties "
        "and makes a real difference for patients, staff and communities.",
        ("Lead the equality strategy and equality objectives and report progress to the board.",
         "Make sure the Trust meets the public sector equality duty and publishes equality "
         "information every year.",
         "Quality-assure equality impact assessments and train staff to complete them.",
         "Coordinate the Workforce Race Equality Standard and the Equality Delivery System, "
         "and chair the equality steering group.",
         "Lead the Trust's anti-racism work and its response to racist incidents.",
         "Support the staff networks and positive action in recruitment.",
         "Build partnerships with the council, the police and the voluntary and community "
         "sector, and involve communities in scrutiny of the Trust's services."),
        (("Expert knowledge of equality and human rights law", "Essential",
          "Application, interview"),
         ("Experience of leading equality work in the public sector", "Essential",
          "Application"),
         ("Experience of commissioning for equality", "Desirable", "Interview"))),
    JobDescription(
        "non-executive-director", "Non-Executive Director", "Remuneration £13,000 a year, "
        "about three days a month",
        "You will bring independent judgement to the Trust board and champion equality and "
        "inclusion at board level.",
        ("Make sure the board gives due regard to the equality duty before taking major "
         "decisions, and that this is recorded.",
         "Scrutinise the Workforce Race Equality Standard results and hold the executive to "
         "account for closing the gaps.",
         "Challenge institutional racism and make sure the board hears from staff networks.",
         "Reflect on your own assumptions and help the board examine its own culture.",
         "Take part in the appointment of executive directors."),
        (("Senior leadership experience in a complex organisation", "Essential",
          "Application"),
         ("Understanding of the legal duties of a public body on equality and human rights",
          "Essential", "Interview"),
         ("Board experience", "Desirable", "Application"))),
    JobDescription(
        "service-manager", "Service Manager", "Band 8a, Community Nursing and Therapies",
        "You will manage community nursing and therapy services across three localities, "
        "leading equality in the service as well as its performance and budget.",
        ("Assess the impact of every service change on different groups of patients before it "
         "is agreed, and record the assessment.",
         "Use ethnicity and language data to check that the service reaches every community.",
         "Make sure staff use interpreters and meet patients' communication needs.",
         "Lead the service's response to racist incidents and support staff affected.",
         "Lead the service's equality action plan and report progress to the division.",
         "Gather patients' views and tell them how their feedback changed the service.",
         "Manage the budget, staffing and performance of the service."),
        (("Significant NHS management experience", "Essential", "Application"),
         ("Knowledge of equality law and the public sector equality duty", "Essential",
          "Interview"),
         ("Project management qualification", "Desirable", "Application"))),
    JobDescription(
        "recruiting-manager", "Recruiting Manager", "Band 7, People and Organisational "
        "Development",
        "You will lead the Trust's recruitment team and make sure the Trust recruits fairly "
        "and reflects the communities it serves.",
        ("Train recruiting managers to write person specifications that include the "
         "competencies each role needs and to test values at interview.",
         "Introduce name-blind shortlisting and diverse interview panels.",
         "Plan lawful positive action, such as outreach to under-represented communities, and "
         "explain the difference from positive discrimination.",
         "Monitor applications, shortlisting and appointments by ethnicity and disability.",
         "Manage the recruitment system and pre-employment checks."),
        (("Significant recruitment experience", "Essential", "Application"),
         ("Knowledge of employment law and fair selection", "Essential", "Interview"),
         ("Awareness of unconscious bias in selection", "Essential", "Interview"),
         ("CIPD qualification", "Desirable", "Application"))),
)


def lines_of(jd: JobDescription) -> list[str]:
    """The job description as lines, exactly as text extraction gives the .docx."""
    lines = [jd.title, TRUST, jd.band, "Job purpose", jd.purpose, "Main duties", *jd.duties,
             "Person specification", " | ".join(SPEC_HEADER)]
    lines += [" | ".join(row) for row in jd.spec]
    return lines + CLOSING


def docx_bytes(jd: JobDescription) -> bytes:
    """The job description as a .docx with fixed metadata and zip timestamps."""
    document = docx.Document()
    document.add_heading(jd.title, level=1)
    document.add_paragraph(TRUST)
    document.add_paragraph(jd.band)
    document.add_heading("Job purpose", level=2)
    document.add_paragraph(jd.purpose)
    document.add_heading("Main duties", level=2)
    for duty in jd.duties:
        document.add_paragraph(duty, style="List Bullet")
    document.add_heading("Person specification", level=2)
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, SPEC_HEADER, strict=True):
        cell.text = text
    for row in jd.spec:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    for i, text in enumerate(CLOSING):
        if i % 2 == 0:
            document.add_heading(text, level=2)
        else:
            document.add_paragraph(text)
    props = document.core_properties
    props.author = props.last_modified_by = TRUST
    props.title = jd.title
    props.created = props.modified = FIXED
    props.revision = 1
    raw = io.BytesIO()
    document.save(raw)
    return _fixed_zip(raw.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the sample job descriptions.")
    parser.add_argument("--out", type=Path, default=OUT, help="folder to write (default: "
                        "the package's sample-org/job-descriptions)")
    out: Path = parser.parse_args(argv).out
    out.mkdir(parents=True, exist_ok=True)
    for jd in JDS:
        (out / f"{jd.slug}.docx").write_bytes(docx_bytes(jd))
        (out / f"{jd.slug}.txt").write_bytes(("\n".join(lines_of(jd)) + "\n").encode("utf-8"))
    print(f"wrote {len(JDS)} job descriptions (.docx and .txt) to {out}")


if __name__ == "__main__":
    main()
