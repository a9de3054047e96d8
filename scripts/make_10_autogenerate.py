"""Writes notebooks/10_autogenerate.ipynb (no outputs): ``python scripts/make_10_autogenerate.py``."""

from pathlib import Path

from make_notebook import write

MODELS = (
    "from sqlalchemy import Column, Integer, String\\n"
    "from sqlalchemy.orm import declarative_base\\n\\n"
    "Base = declarative_base()\\n\\n\\n"
    "class Gadget(Base):\\n"
    "    __tablename__ = 'gadgets'\\n"
    "    id = Column(Integer, primary_key=True)\\n"
    "    label = Column(String(40), nullable=False)\\n"
)

CELLS = [
    (
        "md",
        "# Migrations from models: `generate --autogenerate` (Alembic, SQLite)\n\n"
        "When the project's tool can compare its own models with the database (Alembic autogenerate, "
        "Django makemigrations), `dbm generate --autogenerate` lets it write the migration against the "
        "selected environment and shows the file and the SQL `migrate` will run. Nothing is applied. "
        "The project is made once under `.cache/` with `alembic init`, a SQLAlchemy model and "
        "`target_metadata` in env.py. Re-running the notebook writes and applies nothing twice.",
    ),
    (
        "code",
        "import subprocess, sys\nfrom pathlib import Path\n\n"
        "project = Path('../.cache/autogen_app').resolve()\n"
        "if not project.exists():\n"
        "    project.mkdir(parents=True)\n"
        "    subprocess.run([sys.executable, '-m', 'alembic', 'init', 'alembic'], cwd=project, check=True,\n"
        "                   capture_output=True)\n"
        "    ini = project / 'alembic.ini'\n"
        "    lines = ini.read_text().splitlines()  # point the template's sqlalchemy.url at a SQLite file\n"
        "    ini.write_text('\\n'.join('sqlalchemy.url = sqlite:///app.db' if l.startswith('sqlalchemy.url')\n"
        "                             else l for l in lines) + '\\n')\n"
        f"    (project / 'models.py').write_text(\"{MODELS}\")\n"
        "    env_py = project / 'alembic' / 'env.py'\n"
        "    env_py.write_text(env_py.read_text().replace(\n"
        "        'target_metadata = None', 'from models import Base\\ntarget_metadata = Base.metadata'))\n"
        "%load_ext dbmigrate_magic",
    ),
    (
        "md",
        "## Let Alembic write the revision\nThe first run writes `add_gadgets` (creating the model's table); "
        "a re-run finds no changes and writes nothing.",
    ),
    (
        "code",
        "result = %dbm generate --name add_gadgets --autogenerate --project {project}\n"
        "assert result.path is None or 'gadgets' in result.content, result.content  # None on a re-run: models and database agree\n"
        "result",
    ),
    ("md", "## Review, then apply with `migrate`"),
    (
        "code",
        "result = %dbm migrate {project} --yes\nassert result.status in ('applied', 'up to date'), result.message\nresult",
    ),
    (
        "code",
        "status = %dbm status {project}\n"
        "assert status.position == 'up to date' and len(status.rows) == 1, status\n"
        "status",
    ),
    ("md", "## Models and database agree now\nSo autogenerate writes nothing."),
    (
        "code",
        "result = %dbm generate --name nothing_new --autogenerate --project {project}\n"
        "assert result.path is None and not result.files, result\n"
        "result",
    ),
]

if __name__ == "__main__":
    write(Path(__file__).resolve().parents[1] / "notebooks" / "10_autogenerate.ipynb", CELLS)
