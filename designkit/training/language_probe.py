"""Train the small language head (`designkit.perception.language.probe`) on generated espeak-ng speech.

    python -m designkit.training language-probe   # retrains models/language_probe/probe.npz
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import numpy.typing as npt

from designkit.core.streams import SAMPLE_RATE
from designkit.perception.language.language_id import LanguageID
from designkit.perception.language.probe import LanguageProbe, encoder_embedding, fit_probe
from designkit.scenarios.language import say

logger = logging.getLogger(__name__)

TRAIN_PHRASES: dict[str, tuple[str, ...]] = {
    "en": ("the children are playing football in the park", "I need to buy some bread and milk",
           "our teacher gave us a lot of homework", "it takes twenty minutes to walk to school",
           "do you know a good restaurant near here", "my favourite season is autumn",
           "he forgot his umbrella at the office", "they are going to visit their grandparents on Sunday",
           "could you open the window a little", "the museum is closed on Mondays"),
    "es": ("los niños juegan al fútbol en el parque", "necesito comprar pan y leche",
           "nuestro profesor nos dio muchos deberes", "tardo veinte minutos en llegar al colegio",
           "conoces un buen restaurante por aquí", "mi estación favorita es el otoño",
           "olvidó su paraguas en la oficina", "van a visitar a sus abuelos el domingo",
           "puedes abrir un poco la ventana", "el museo está cerrado los lunes"),
    "fr": ("les enfants jouent au football dans le parc", "j'ai besoin d'acheter du pain et du lait",
           "notre professeur nous a donné beaucoup de devoirs", "il faut vingt minutes pour aller à l'école",
           "connais-tu un bon restaurant près d'ici", "ma saison préférée est l'automne",
           "il a oublié son parapluie au bureau", "ils vont rendre visite à leurs grands-parents dimanche",
           "peux-tu ouvrir un peu la fenêtre", "le musée est fermé le lundi"),
    "de": ("die Kinder spielen Fußball im Park", "ich muss Brot und Milch kaufen",
           "unser Lehrer hat uns viele Hausaufgaben gegeben", "ich brauche zwanzig Minuten zur Schule",
           "kennst du ein gutes Restaurant in der Nähe", "meine Lieblingsjahreszeit ist der Herbst",
           "er hat seinen Regenschirm im Büro vergessen", "sie besuchen am Sonntag ihre Großeltern",
           "kannst du bitte das Fenster ein wenig öffnen", "das Museum ist montags geschlossen"),
}


def train(out: Path, *, seed: int = 0, sentences: int = 150) -> LanguageProbe:
    """Render word sequences drawn from TRAIN_PHRASES with espeak-ng at random rates and pitches,
    cut 0.8-1.2 s windows, fit. Shuffled words give many new sequences with the same sounds."""
    languages = tuple(TRAIN_PHRASES)
    lid = LanguageID(languages, head="whisper")
    rng = np.random.default_rng(seed)
    xs: list[npt.NDArray[np.float32]] = []
    ys: list[int] = []
    for index, lang in enumerate(languages):
        vocabulary = [w for phrase in TRAIN_PHRASES[lang] for w in phrase.split()]
        texts = list(TRAIN_PHRASES[lang]) + [
            " ".join(rng.choice(vocabulary, size=int(rng.integers(4, 9)))) for _ in range(sentences)]
        for text in texts:
            audio = say(text, lang, rate=int(rng.integers(130, 195)), pitch=int(rng.integers(30, 75)))
            length = float(rng.choice([0.8, 1.0, 1.2]))
            for start in np.arange(0.0, max(audio.size / SAMPLE_RATE - length, 0.0) + 1e-9, 0.4):
                segment = audio[int(start * SAMPLE_RATE) : int((start + length) * SAMPLE_RATE)]
                if segment.size >= SAMPLE_RATE // 2:
                    xs.append(encoder_embedding(lid.model, segment)[0])
                    ys.append(index)
    probe = fit_probe(np.stack(xs), np.array(ys), languages)
    probe.save(out)
    logger.info("trained the language probe on %d windows into %s", len(xs), out)
    return probe


REPO_PROBE = Path(__file__).resolve().parents[2] / "models" / "language_probe" / "probe.npz"
