"""Every shipped YAML file loads through its schema; a broken file names file, field and problem."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from watchfloor import schemas
from watchfloor.api.settings import IdentitySettings
from watchfloor.assess.config import AssessFile
from watchfloor.datafiles import DATA_DIR, load_yaml, read_yaml
from watchfloor.errors import ConfigError, ReviewError, VocabularyError
from watchfloor.extract.finder.config import FinderConfig
from watchfloor.publish.review import ReviewConfig
from watchfloor.share.config import ShareConfig
from watchfloor.warn.config import CasesFile
from watchfloor.warn.drafting import NoticeFile
from watchfloor.warn.policy import DutyToWarnFile

SHIPPED: dict[str, type[BaseModel]] = {
    "actors/entities.yaml": schemas.EntitiesFile,
    "actors/generic.yaml": schemas.GenericActorsFile,
    "assess/assessment.yaml": AssessFile,
    "evaluation/baseline.yaml": schemas.BaselineFile,
    "finder/finder.yaml": FinderConfig,
    "geo/countries.yaml": schemas.CountriesFile,
    "lexicons/article_end.yaml": schemas.ArticleEndLexicon,
    "lexicons/attribution.yaml": schemas.AttributionLexicon,
    "lexicons/behaviours.yaml": schemas.BehavioursLexicon,
    "lexicons/dates.yaml": schemas.DatesLexicon,
    "lexicons/filters.yaml": schemas.FiltersLexicon,
    "lexicons/methods.yaml": schemas.MethodsLexicon,
    "lexicons/status.yaml": schemas.StatusLexicon,
    "lexicons/syntax.yaml": schemas.SyntaxLexicon,
    "lexicons/targets.yaml": schemas.TargetsLexicon,
    "lexicons/temporal.yaml": schemas.TemporalLexicon,
    "lexicons/triggers.yaml": schemas.TriggersLexicon,
    "link/confidence.yaml": schemas.LinkConfidenceFile,
    "markings/access.yaml": schemas.AccessFile,
    "markings/countries.yaml": schemas.MarkingCountriesFile,
    "markings/rollup.yaml": schemas.RollupFile,
    "markings/vocabulary.yaml": schemas.MarkingVocabularyFile,
    "nlp/tokenizer.yaml": schemas.TokenizerFile,
    "policy/cases.yaml": CasesFile,
    "policy/duty_to_warn.yaml": DutyToWarnFile,
    "policy/notice.yaml": NoticeFile,
    "publish/review.yaml": schemas.ReviewFile,
    "roles/titles.yaml": schemas.TitlesFile,
    "share/scales.yaml": schemas.ScalesFile,
    "share/share.yaml": ShareConfig,
    "share/tlp.yaml": schemas.TlpFile,
    "web/identity.yaml": IdentitySettings,
}


def test_every_shipped_yaml_file_has_a_schema() -> None:
    shipped = {
        path.relative_to(DATA_DIR).as_posix()
        for pattern in ("*.yaml", "*.yml")
        for path in DATA_DIR.rglob(pattern)
    }
    assert shipped == set(SHIPPED)


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_a_shipped_file_loads_through_its_schema(name: str) -> None:
    model = load_yaml(DATA_DIR / name, SHIPPED[name])
    # The schema kept every key the file has (no key the readers use is outside the schema).
    data = read_yaml(DATA_DIR / name)
    dumped = model.model_dump(by_alias=True)
    assert set(data) <= set(dumped), f"{name}: keys outside the schema"


def test_a_broken_file_names_file_field_and_problem(tmp_path: Path) -> None:
    text = (DATA_DIR / "assess" / "assessment.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "assessment.yaml"
    broken.write_text(text.replace("rise: 0.1 ", "rise: steep "), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_yaml(broken, AssessFile)
    assert str(caught.value).startswith(f"{broken}: trend.rise: Input should be a valid number")


def test_a_list_item_is_named_by_its_index(tmp_path: Path) -> None:
    data = read_yaml(DATA_DIR / "markings" / "vocabulary.yaml")
    del data["levels"][1]["portion"]
    broken = tmp_path / "vocabulary.yaml"
    broken.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(VocabularyError, match=rf"^{broken}: levels\.1\.portion: Field required"):
        load_yaml(broken, schemas.MarkingVocabularyFile, error=VocabularyError)


def test_a_stage_reader_reports_the_schema_problem(tmp_path: Path) -> None:
    text = (DATA_DIR / "publish" / "review.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "review.yaml"
    broken.write_text(text.replace("window_days:", "window_days: [1]\nold_window_days:", 1))
    with pytest.raises(ReviewError, match=rf"^{broken}: window_days: Input should be a valid"):
        ReviewConfig.load(broken)


def test_invalid_yaml_and_a_missing_file_name_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "triggers.yaml"
    broken.write_text("triggers: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"^{broken}: not valid YAML"):
        load_yaml(broken, schemas.TriggersLexicon)
    with pytest.raises(ConfigError, match=rf"^{tmp_path / 'none.yaml'}: cannot read the file"):
        load_yaml(tmp_path / "none.yaml", schemas.TriggersLexicon)
