"""Texts a policy user reads, in Dutch first and English on request.

One catalogue, keyed by message id; :func:`text` picks the language and fills
in the fields. A test checks that every message has both languages and the
same fields in each.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["LANGUAGES", "MESSAGES", "Language", "text"]

Language = Literal["nl", "en"]
LANGUAGES: tuple[Language, ...] = ("nl", "en")

MESSAGES: dict[str, dict[Language, str]] = {
    "error": {"nl": "Fout: {message}", "en": "Error: {message}"},
    "demo.generating": {
        "nl": "Demoland maken (seed {seed})",
        "en": "Generating the demo country (seed {seed})",
    },
    "demo.done": {
        "nl": "Demoland in de store gezet: {gemeenten} gemeenten, {wijken} wijken, "
        "{regions} jeugdregio's, jaren {first}-{last} ({facts} cijfers).",
        "en": "Demo country stored: {gemeenten} gemeenten, {wijken} wijken, "
        "{regions} youth-care regions, years {first}-{last} ({facts} figures).",
    },
    "demo.written": {
        "nl": "Bestanden en grondwaarheid geschreven naar {folder}",
        "en": "Files and ground truth written to {folder}",
    },
    "store.location": {"nl": "Store: {path}", "en": "Store: {path}"},
    "status.empty": {
        "nl": "De store is leeg. Begin met 'bluezones demo' of 'bluezones fetch'.",
        "en": "The store is empty. Start with 'bluezones demo' or 'bluezones fetch'.",
    },
    "status.datasets": {"nl": "Datasets", "en": "Datasets"},
    "status.snapshots": {"nl": "Opgehaalde tabellen (CBS)", "en": "Fetched tables (CBS)"},
    "status.derived": {"nl": "Afgeleide tabellen", "en": "Derived tables"},
    "fetch.unchanged": {
        "nl": "{table}: ongewijzigd sinds {modified}, niets gedownload.",
        "en": "{table}: unchanged since {modified}, nothing downloaded.",
    },
    "fetch.done": {
        "nl": "{table}: {rows} rijen opgehaald, {facts} cijfers opgeslagen (gewijzigd {modified}).",
        "en": "{table}: {rows} rows fetched, {facts} figures stored (modified {modified}).",
    },
    "load.done": {
        "nl": "{file}: {facts} cijfers geladen in dataset '{dataset}'.",
        "en": "{file}: {facts} figures loaded into dataset '{dataset}'.",
    },
    "harmonise.done": {
        "nl": "Dataset '{dataset}' omgezet naar de indeling van {year}: {facts} cijfers.",
        "en": "Dataset '{dataset}' harmonised to the {year} boundaries: {facts} figures.",
    },
    "crosswalk.done": {
        "nl": "Grenswijzigingen uit {folder}: {rows} regels opgeslagen voor dataset '{dataset}'.",
        "en": "Boundary changes from {folder}: {rows} rows stored for dataset '{dataset}'.",
    },
    "microdata.generating": {
        "nl": "Synthetische microdata van het demoland maken (seed {seed}, {youths} jongeren "
        "per jaar)",
        "en": "Generating synthetic microdata of the demo country (seed {seed}, {youths} "
        "young people a year)",
    },
    "microdata.generating.short": {"nl": "Microdata maken", "en": "Generating microdata"},
    "microdata.generated": {
        "nl": "{rows} persoonsjaren in {files} bestanden geschreven naar {folder}; "
        "koppelbestand: {mapping}",
        "en": "{rows} person-years in {files} files written to {folder}; mapping file: {mapping}",
    },
    "microdata.loading": {"nl": "Microdata laden", "en": "Loading microdata"},
    "microdata.step.convert": {"nl": "{name} omzetten", "en": "converting {name}"},
    "microdata.step.aggregate": {
        "nl": "personen tellen per cel",
        "en": "counting persons per cell",
    },
    "microdata.step.duplicates": {
        "nl": "dubbele personen zoeken",
        "en": "looking for duplicate persons",
    },
    "microdata.step.store": {"nl": "opslaan", "en": "storing"},
    "microdata.step.write": {"nl": "persoonsjaren", "en": "person-years"},
    "microdata.loaded": {
        "nl": "{records} persoonsjaren uit {files} bestanden geladen in dataset '{dataset}': "
        "{cells} cellen, {facts} cijfers, jaren {first}-{last} ({seconds} s).",
        "en": "{records} person-years from {files} files loaded into dataset '{dataset}': "
        "{cells} cells, {facts} figures, years {first}-{last} ({seconds} s).",
    },
    "microdata.protected": {
        "nl": "Elke uitvoer van deze dataset moet door de geheimhoudingscontrole "
        "(minimaal {min_count} personen per cel).",
        "en": "Every output of this dataset must pass disclosure control "
        "(at least {min_count} persons per cell).",
    },
    "microdata.next": {
        "nl": "Volgende stap: bluezones detect --dataset {dataset}",
        "en": "Next: bluezones detect --dataset {dataset}",
    },
    "detect.running": {"nl": "Detectie", "en": "Detection"},
    "validate.running": {"nl": "Validatie op demolanden", "en": "Validation on demo countries"},
    "detect.done": {
        "nl": "Detectie op '{dataset}' ({level}, {years}): {counts}.",
        "en": "Detection on '{dataset}' ({level}, {years}): {counts}.",
    },
    "detect.saved": {
        "nl": "Resultaten opgeslagen in de store (tabellen detect_*).",
        "en": "Results saved in the store (tables detect_*).",
    },
    "detect.list": {"nl": "{status} ({n})", "en": "{status} ({n})"},
    "monitor.running": {"nl": "Monitor en pilotevaluatie", "en": "Monitor and pilot evaluation"},
    "monitor.pilots": {
        "nl": "{n} pilotregio's ({source}): {names}.",
        "en": "{n} pilot regions ({source}): {names}.",
    },
    "monitor.saved": {
        "nl": "Resultaten opgeslagen in de store (tabellen monitor_*).",
        "en": "Results saved in the store (tables monitor_*).",
    },
    "detect.shown": {
        "nl": "- de {shown} duidelijkste (--show voor meer)",
        "en": "- the {shown} clearest (--show for more)",
    },
    "detect.item": {
        "nl": "  • {name} ({code}): gebruik/verwacht {ratio:.2f} "
        "(95%-interval {low:.2f}-{high:.2f})",
        "en": "  • {name} ({code}): observed/expected {ratio:.2f} "
        "(95% interval {low:.2f}-{high:.2f})",
    },
    "detect.moran": {
        "nl": "Ruimtelijke samenhang van de blijvende effecten: Moran's I = {i:.3f} "
        "(p = {p:.3f}); eilanden zonder buren apart gehouden: {islands}.",
        "en": "Spatial autocorrelation of the lasting effects: Moran's I = {i:.3f} "
        "(p = {p:.3f}); islands without neighbours left out: {islands}.",
    },
    "status.bluezone": {"nl": "BlueZone-kandidaat", "en": "BlueZone candidate"},
    "status.escalation": {
        "nl": "Laag gebruik, maar hoge bescherming of plaatsing",
        "en": "Low use, but high protection or placement",
    },
    "status.high": {"nl": "Opvallend hoog", "en": "Notably high"},
    "status.as_expected": {"nl": "Zoals verwacht", "en": "As expected"},
    "status.too_small": {"nl": "Te klein om te beoordelen", "en": "Too small to judge"},
    # --- youth-protection monitor: the pilot evaluation's sentence and caveats
    "monitor.effect": {
        "nl": "In de {n_pilots} pilotregio's lag {indicator} na de start naar schatting "
        "{size}% {direction} dan zonder pilot te verwachten was ({level}%-interval "
        "{lower}% tot {upper}%, p = {p}; beide uit het willekeurig herverdelen van de "
        "pilots over de {n_regions} jeugdregio's).",
        "en": "In the {n_pilots} pilot regions, {indicator} after the start was an estimated "
        "{size}% {direction} than expected without the pilot ({level}% interval "
        "{lower}% to {upper}%, p = {p}; both from reassigning the pilots at random over "
        "the {n_regions} youth-care regions).",
    },
    "monitor.lower": {"nl": "lager", "en": "lower"},
    "monitor.higher": {"nl": "hoger", "en": "higher"},
    "monitor.verdict.clear_good": {
        "nl": "Dat is een duidelijk verschil, in gunstige richting.",
        "en": "That is a clear difference, in the favourable direction.",
    },
    "monitor.verdict.clear_bad": {
        "nl": "Dat is een duidelijk verschil, in ongunstige richting.",
        "en": "That is a clear difference, in the unfavourable direction.",
    },
    "monitor.verdict.clear": {
        "nl": "Dat is een duidelijk verschil.",
        "en": "That is a clear difference.",
    },
    "monitor.verdict.unclear": {
        "nl": "Dat verschil is niet duidelijk te onderscheiden van toeval.",
        "en": "That difference cannot be told apart from chance.",
    },
    "monitor.caveat.few": {
        "nl": "Er zijn maar {n_pilots} pilotregio's: één regio met een bijzonder jaar kan de "
        "uitkomst bepalen. Interval en p-waarde komen daarom uit het herverdelen van de "
        "pilots, niet uit een formule die veel pilotregio's veronderstelt; het interval "
        "gaat uit van een even groot effect in elke pilotregio.",
        "en": "There are only {n_pilots} pilot regions: one region with an unusual year can "
        "decide the result. Interval and p-value therefore come from reassigning the "
        "pilots, not from a formula that assumes many pilot regions; the interval assumes "
        "the same effect in every pilot region.",
    },
    "monitor.caveat.loo": {
        "nl": "Laat je één pilotregio weg, dan ligt de schatting tussen {lower}% en {upper}%.",
        "en": "Leaving out one pilot region at a time, the estimate lies between {lower}% and "
        "{upper}%.",
    },
    "monitor.caveat.pretrend_ok": {
        "nl": "Vóór de start liepen pilot- en andere regio's gelijk op (toets op trends vooraf: "
        "p = {p}).",
        "en": "Before the start, pilot and other regions moved alike (pre-trend test: p = {p}).",
    },
    "monitor.caveat.pretrend_bad": {
        "nl": "Vóór de start liepen pilot- en andere regio's al uiteen (toets op trends "
        "vooraf: p = {p}); het verschil kan dus deels ouder zijn dan de pilot.",
        "en": "Before the start, pilot and other regions already drifted apart (pre-trend "
        "test: p = {p}); part of the difference may predate the pilot.",
    },
    "monitor.caveat.breaks": {
        "nl": "De reeks heeft een trendbreuk in {years}; een landelijke breuk valt weg in de "
        "vergelijking, een breuk die per regio verschilt niet.",
        "en": "The series breaks in {years}; a national break cancels out in the comparison, "
        "a break that differs between regions does not.",
    },
    "monitor.caveat.selection": {
        "nl": "De pilotregio's zijn gekozen, niet geloot; de herverdeling toetst 'geen effect' "
        "alsof ze geloot waren.",
        "en": "The pilot regions were chosen, not drawn by lot; the reassignment tests "
        "'no effect' as if they had been.",
    },
    "monitor.caveat.spillover": {
        "nl": "Werkwijzen van pilots kunnen naar buurregio's overslaan; dan is het werkelijke "
        "verschil groter dan geschat.",
        "en": "Pilot practices may spill over to neighbouring regions; the true difference "
        "is then larger than estimated.",
    },
    # --- classification reasons --------------------------------------------
    "reason.too_small": {
        "nl": "Te klein om te beoordelen: {years} bruikbare jaren en {expected:.0f} verwachte "
        "jongeren in zorg.",
        "en": "Too small to judge: {years} usable years and {expected:.0f} young people "
        "expected in care.",
    },
    "reason.lower": {
        "nl": "{indicator}: {pct:.0f}% lager dan verwacht (interval {low:.0f}-{high:.0f}%) "
        "over {years} jaar; kans dat het gebruik blijvend lager is: {prob}.",
        "en": "{indicator}: {pct:.0f}% lower than expected (interval {low:.0f}-{high:.0f}%) "
        "over {years} years; probability that use is lastingly lower: {prob}.",
    },
    "reason.higher": {
        "nl": "{indicator}: {pct:.0f}% hoger dan verwacht (interval {low:.0f}-{high:.0f}%) "
        "over {years} jaar; kans dat het gebruik blijvend hoger is: {prob}.",
        "en": "{indicator}: {pct:.0f}% higher than expected (interval {low:.0f}-{high:.0f}%) "
        "over {years} years; probability that use is lastingly higher: {prob}.",
    },
    "reason.no_escalation": {
        "nl": "Jeugdbescherming en uithuisplaatsingen zijn niet opvallend hoog.",
        "en": "Child protection and out-of-home placements are not notably high.",
    },
    "reason.as_expected": {
        "nl": "Geen blijvend verschil met de verwachting (kans lager {p_below}, "
        "kans hoger {p_above}).",
        "en": "No lasting difference from expectation (probability lower {p_below}, "
        "higher {p_above}).",
    },
    # --- atlas (bluezones.present.atlas; the browser gets every atlas.* text) ----
    "atlas.title": {
        "nl": "BlueZones-atlas van de jeugdzorg",
        "en": "BlueZones atlas of youth care",
    },
    "atlas.subtitle": {
        "nl": "Waar is het jeugdzorggebruik opvallend lager of hoger dan verwacht?",
        "en": "Where is youth-care use notably lower or higher than expected?",
    },
    "atlas.switch_lang": {"nl": "English", "en": "Nederlands"},
    "atlas.level": {"nl": "Niveau", "en": "Level"},
    "atlas.level.gemeente": {"nl": "Gemeenten", "en": "Municipalities"},
    "atlas.level.wijk": {"nl": "Wijken", "en": "Districts"},
    "atlas.indicator": {"nl": "Indicator", "en": "Indicator"},
    "atlas.year": {"nl": "Jaar", "en": "Year"},
    # --- atlas: the monitor pages (built only with monitor results) ------------
    "atlas.nav.label": {"nl": "Pagina's", "en": "Pages"},
    "atlas.nav.overview": {"nl": "Overzicht", "en": "Overview"},
    "atlas.nav.monitor": {"nl": "Monitor jeugdbescherming", "en": "Youth-protection monitor"},
    "atlas.nav.evaluation": {"nl": "Pilotevaluatie", "en": "Pilot evaluation"},
    "atlas.monitor.title": {"nl": "Monitor jeugdbescherming", "en": "Youth-protection monitor"},
    "atlas.monitor.subtitle": {
        "nl": "Ondertoezichtstellingen, uithuisplaatsingen, jeugdbescherming, jeugdreclassering "
        "en verblijf per jeugdregio, gemeente en jaar",
        "en": "Supervision orders, out-of-home placements, child protection, youth probation "
        "and residential care per youth-care region, gemeente and year",
    },
    "atlas.monitor.region": {"nl": "Regio", "en": "Region"},
    "atlas.monitor.level.jeugdregio": {"nl": "Jeugdregio's", "en": "Youth-care regions"},
    "atlas.monitor.level.gemeente": {"nl": "Gemeenten", "en": "Gemeenten"},
    "atlas.monitor.level.land": {"nl": "Nederland", "en": "The Netherlands"},
    "atlas.monitor.polarity.lower_is_better": {"nl": "Lager is beter", "en": "Lower is better"},
    "atlas.monitor.polarity.higher_is_better": {"nl": "Hoger is beter", "en": "Higher is better"},
    "atlas.monitor.polarity.neutral": {
        "nl": "Hoger of lager is niet vanzelf beter",
        "en": "Neither higher nor lower is better in itself",
    },
    "atlas.monitor.breaks": {
        "nl": "Trendbreuk in {years}: jaren ervoor en erna zijn niet goed te vergelijken.",
        "en": "Trend break in {years}: years before and after do not compare well.",
    },
    "atlas.monitor.no_breaks": {"nl": "Geen trendbreuk in de reeks.", "en": "No trend break."},
    "atlas.monitor.pilot": {"nl": "Pilotregio sinds {year}", "en": "Pilot region since {year}"},
    "atlas.monitor.in_pilot": {
        "nl": "Ligt in pilotregio {name} (sinds {year})",
        "en": "Lies in pilot region {name} (since {year})",
    },
    "atlas.monitor.trend": {
        "nl": "Trend sinds {first}: {change}% per jaar (95%-interval {lower}% tot {upper}%).",
        "en": "Trend since {first}: {change}% a year (95% interval {lower}% to {upper}%).",
    },
    "atlas.monitor.no_trend": {
        "nl": "Te weinig jaren sinds de laatste trendbreuk voor een trend.",
        "en": "Too few years since the last trend break for a trend.",
    },
    "atlas.monitor.latest": {
        "nl": "{year}: {value} (95%-interval {lower} tot {upper}).",
        "en": "{year}: {value} (95% interval {lower} to {upper}).",
    },
    "atlas.monitor.expected": {"nl": "Verwacht: {value}.", "en": "Expected: {value}."},
    "atlas.monitor.missing": {
        "nl": "{year}: geen cijfer (onderdrukt of ontbrekend).",
        "en": "{year}: no figure (suppressed or missing).",
    },
    "atlas.monitor.series.value": {"nl": "Waarde met 95%-interval", "en": "Value, 95% interval"},
    "atlas.monitor.series.land": {"nl": "Nederland", "en": "The Netherlands"},
    "atlas.monitor.series.expected": {"nl": "Verwacht (model)", "en": "Expected (model)"},
    "atlas.monitor.series.break": {"nl": "trendbreuk", "en": "trend break"},
    "atlas.monitor.series.start": {"nl": "start pilot", "en": "pilot start"},
    "atlas.monitor.table": {"nl": "Alle regio's in {year}", "en": "All regions in {year}"},
    "atlas.monitor.col.value": {"nl": "Waarde", "en": "Value"},
    "atlas.monitor.col.interval": {"nl": "95%-interval", "en": "95% interval"},
    "atlas.monitor.col.expected": {"nl": "Verwacht", "en": "Expected"},
    "atlas.monitor.col.trend": {"nl": "Trend per jaar", "en": "Trend a year"},
    "atlas.monitor.col.pilot": {"nl": "Pilot sinds", "en": "Pilot since"},
    "atlas.monitor.imputed": {
        "nl": "{n} onderdrukte gemeentecijfers geteld als 4,5",
        "en": "{n} suppressed gemeente figures counted as 4.5",
    },
    "atlas.monitor.note": {
        "nl": "Cijfers onder 10 zijn door het CBS onderdrukt: bij een gemeente blijft het vak "
        "leeg, in de som van een jeugdregio telt zo'n cel als 4,5 (het midden van 0-9). "
        "Verwacht: wat het model van de detectie verwacht bij wie er woont. Een trend "
        "gebruikt alleen de jaren sinds de laatste trendbreuk.",
        "en": "Figures under 10 are suppressed by CBS: a gemeente's cell stays empty, in a "
        "youth-care region's sum such a cell counts as 4.5 (the middle of 0-9). Expected: "
        "what the detection model expects from who lives there. A trend uses the years "
        "since the last trend break only.",
    },
    "atlas.monitor.label.ots_duration": {
        "nl": "Gemiddelde duur beëindigde ondertoezichtstellingen (dagen)",
        "en": "Mean duration of ended supervision orders (days)",
    },
    "atlas.monitor.label.share_met_verblijf": {
        "nl": "Aandeel jeugdhulp met verblijf (% van jeugdhulp)",
        "en": "Share of youth care with residence (% of youth care)",
    },
    "atlas.evaluation.title": {
        "nl": "Evaluatie van de jeugdbeschermingspilots",
        "en": "Evaluation of the youth-protection pilots",
    },
    "atlas.evaluation.subtitle": {
        "nl": "Verschil-in-verschillen met nog niet gestarte regio's als vergelijking, "
        "event study en synthetische controle",
        "en": "Difference-in-differences with not-yet-started regions as comparison, "
        "event study and synthetic control",
    },
    "atlas.evaluation.interpretation": {"nl": "Wat betekent dit?", "en": "What does this mean?"},
    "atlas.evaluation.caveats": {"nl": "Kanttekeningen", "en": "Caveats"},
    "atlas.evaluation.estimates": {"nl": "Schattingen", "en": "Estimates"},
    "atlas.evaluation.estimates_note": {
        "nl": "Effect: verandering van het cijfer in de pilotregio's na de start, in %. "
        "p (herverdeling): de pilots willekeurig over de jeugdregio's verdeeld; bij weinig "
        "pilotregio's de betrouwbaarste. p (wild bootstrap): wild-cluster-bootstrap van de "
        "tweeweg-schatting. Bij de synthetische controle komt p uit de placebo's.",
        "en": "Effect: change of the figure in the pilot regions after the start, in %. "
        "p (randomisation): the pilots reassigned at random over the regions; with few pilot "
        "regions the most reliable. p (wild bootstrap): wild-cluster bootstrap of the "
        "two-way estimate. For the synthetic control p comes from the placebos.",
    },
    "atlas.evaluation.col.method": {"nl": "Methode", "en": "Method"},
    "atlas.evaluation.col.estimate": {"nl": "Effect (%)", "en": "Effect (%)"},
    "atlas.evaluation.col.interval": {"nl": "95%-interval (%)", "en": "95% interval (%)"},
    "atlas.evaluation.col.p_ri": {"nl": "p (herverdeling)", "en": "p (randomisation)"},
    "atlas.evaluation.col.p_wild": {"nl": "p (wild bootstrap)", "en": "p (wild bootstrap)"},
    "atlas.evaluation.col.p_cluster": {"nl": "p (clusterrobuust)", "en": "p (cluster-robust)"},
    "atlas.evaluation.method.did2s": {
        "nl": "Tweetraps-verschil-in-verschillen (hoofdschatting)",
        "en": "Two-stage difference-in-differences (headline)",
    },
    "atlas.evaluation.method.twfe": {"nl": "Tweeweg vaste effecten", "en": "Two-way fixed effects"},
    "atlas.evaluation.method.poisson": {
        "nl": "Poisson met vaste effecten",
        "en": "Poisson with fixed effects",
    },
    "atlas.evaluation.method.synthetic": {"nl": "Synthetische controle", "en": "Synthetic control"},
    "atlas.evaluation.event_study": {
        "nl": "Event study: verschil per jaar sinds de start",
        "en": "Event study: difference by year since the start",
    },
    "atlas.evaluation.event_note": {
        "nl": "Verschil met de verwachting zonder pilot, in %, met 95%-interval. Jaar -1 is de "
        "referentie (op 0 gezet); de uiterste jaren bundelen alle eerdere of latere jaren.",
        "en": "Difference from the expectation without pilot, in %, with 95% interval. Year -1 "
        "is the reference (set to 0); the outer years pool all earlier or later years.",
    },
    "atlas.evaluation.pretrend_ok": {
        "nl": "Toets op trends vooraf: F = {f}, p = {p}. Geen aanwijzing dat de pilotregio's "
        "vóór de start al anders liepen.",
        "en": "Pre-trend test: F = {f}, p = {p}. No sign that the pilot regions moved "
        "differently before the start.",
    },
    "atlas.evaluation.pretrend_bad": {
        "nl": "Toets op trends vooraf: F = {f}, p = {p}. De pilotregio's liepen vóór de start "
        "al anders; lees de schattingen met voorzichtigheid.",
        "en": "Pre-trend test: F = {f}, p = {p}. The pilot regions already moved differently "
        "before the start; read the estimates with care.",
    },
    "atlas.evaluation.reference": {"nl": "referentie", "en": "reference"},
    "atlas.evaluation.years_since": {"nl": "Jaren sinds de start", "en": "Years since the start"},
    "atlas.evaluation.synthetic": {
        "nl": "Synthetische controle: pilotregio's tegen hun synthetische tweeling",
        "en": "Synthetic control: the pilot regions against their synthetic twins",
    },
    "atlas.evaluation.synthetic_note": {
        "nl": "Links: het gemiddelde van de pilotregio's en van hun synthetische controles, "
        "in % ten opzichte van het eigen gemiddelde vóór de start. Rechts: het verschil, met "
        "in grijs de placebo's (elke regio zonder pilot alsof die was gestart).",
        "en": "Left: the average of the pilot regions and of their synthetic controls, in % "
        "against their own mean before the start. Right: the gap, with the placebos in grey "
        "(every region without a pilot as if it had started).",
    },
    "atlas.evaluation.treated": {"nl": "Pilotregio's (gemiddeld)", "en": "Pilot regions (mean)"},
    "atlas.evaluation.synthetic_line": {"nl": "Synthetische controle", "en": "Synthetic control"},
    "atlas.evaluation.gap": {
        "nl": "Verschil (pilot - synthetisch)",
        "en": "Gap (pilot - synthetic)",
    },
    "atlas.evaluation.placebo": {"nl": "Placebo's", "en": "Placebos"},
    "atlas.evaluation.pilots": {"nl": "Pilotregio's en startjaar", "en": "Pilot regions and start"},
    "atlas.evaluation.per_pilot": {
        "nl": "{name}: start {start}, effect {effect}% (placebo-p {p})",
        "en": "{name}: start {start}, effect {effect}% (placebo p {p})",
    },
    "atlas.evaluation.none": {
        "nl": "Er is geen evaluatie opgeslagen voor deze indicator.",
        "en": "No evaluation is stored for this indicator.",
    },
    "atlas.loading": {"nl": "Gegevens laden…", "en": "Loading data…"},
    "atlas.load_error": {
        "nl": "Gegevens konden niet worden geladen: {error}",
        "en": "Data could not be loaded: {error}",
    },
    "atlas.keyboard": {
        "nl": "Ga met Tab naar een gebied op de kaart 'verschil'; Enter opent het profiel.",
        "en": "Tab to an area on the 'difference' map; Enter opens its profile.",
    },
    "atlas.map.observed": {"nl": "Werkelijk gebruik", "en": "Actual use"},
    "atlas.map.expected": {"nl": "Verwacht gebruik", "en": "Expected use"},
    "atlas.map.ratio": {
        "nl": "Verschil: werkelijk / verwacht",
        "en": "Difference: observed / expected",
    },
    "atlas.map.status": {
        "nl": "Classificatie over alle jaren",
        "en": "Classification over all years",
    },
    "atlas.map.status_yearly": {"nl": "per jaar", "en": "per year"},
    "atlas.map.status_year": {"nl": "Classificatie in {year}", "en": "Classification in {year}"},
    "atlas.legend.rate": {"nl": "per {per} jongeren", "en": "per {per} young people"},
    "atlas.legend.missing": {
        "nl": "Grijs gearceerd: onderdrukt, ontbrekend of te klein",
        "en": "Grey hatched: suppressed, missing or too small",
    },
    "atlas.legend.lower": {"nl": "lager dan verwacht", "en": "lower than expected"},
    "atlas.legend.higher": {"nl": "hoger dan verwacht", "en": "higher than expected"},
    "atlas.legend.flagged": {
        "nl": "Dikke rand: buiten de 95%-controlegrenzen",
        "en": "Thick outline: outside the 95% control limits",
    },
    "atlas.legend.island": {
        "nl": "Eilanden hebben geen landburen; de ruimtelijke analyse houdt ze apart.",
        "en": "Islands have no land neighbours; the spatial analysis keeps them apart.",
    },
    "atlas.tip.n": {"nl": "jongeren", "en": "young people"},
    "atlas.tip.observed": {"nl": "werkelijk", "en": "observed"},
    "atlas.tip.expected": {"nl": "verwacht", "en": "expected"},
    "atlas.tip.ratio": {"nl": "werkelijk/verwacht", "en": "observed/expected"},
    "atlas.tip.interval": {"nl": "95%-interval", "en": "95% interval"},
    "atlas.tip.missing": {"nl": "niet te beoordelen", "en": "cannot be judged"},
    "atlas.tip.island": {"nl": "eiland", "en": "island"},
    "atlas.selected": {"nl": "Gekozen gebied", "en": "Selected area"},
    "atlas.open_profile": {"nl": "Open het profiel", "en": "Open the profile"},
    "atlas.funnel.title": {
        "nl": "Trechterplot: werkelijk/verwacht tegen het verwachte aantal",
        "en": "Funnel plot: observed/expected against the expected number",
    },
    "atlas.funnel.x": {
        "nl": "verwacht aantal jongeren in zorg (log-schaal)",
        "en": "expected number of young people in care (log scale)",
    },
    "atlas.funnel.y": {"nl": "werkelijk / verwacht", "en": "observed / expected"},
    "atlas.funnel.limits": {
        "nl": "Stippellijn: 95%-grenzen; doorgetrokken: 99,8%-grenzen (met overdispersie).",
        "en": "Dashed: 95% limits; solid: 99.8% limits (with overdispersion).",
    },
    "atlas.list.title": {
        "nl": "BlueZone-kandidaten en opvallende gebieden",
        "en": "BlueZone candidates and notable areas",
    },
    "atlas.list.empty": {"nl": "Geen gebieden op deze lijst.", "en": "No areas on this list."},
    "atlas.table.title": {"nl": "Alle gebieden", "en": "All areas"},
    "atlas.table.search": {"nl": "Zoek op naam of code", "en": "Search by name or code"},
    "atlas.table.shown": {
        "nl": "{shown} van {total} gebieden getoond; zoek om te verfijnen.",
        "en": "{shown} of {total} areas shown; search to narrow down.",
    },
    "atlas.col.rank": {"nl": "Rang (laag-hoog)", "en": "Rank (low-high)"},
    "atlas.col.name": {"nl": "Gebied", "en": "Area"},
    "atlas.col.n": {"nl": "Jongeren", "en": "Young people"},
    "atlas.col.observed": {"nl": "Werkelijk", "en": "Observed"},
    "atlas.col.expected": {"nl": "Verwacht", "en": "Expected"},
    "atlas.col.ratio": {"nl": "Werkelijk/verwacht", "en": "Observed/expected"},
    "atlas.col.interval": {"nl": "95%-interval", "en": "95% interval"},
    "atlas.col.status": {"nl": "Classificatie", "en": "Classification"},
    "atlas.col.year": {"nl": "Jaar", "en": "Year"},
    "atlas.noscript": {
        "nl": "Deze atlas heeft JavaScript nodig voor kaarten; hieronder de lijst zonder kaarten.",
        "en": "This atlas needs JavaScript for its maps; below is the list without maps.",
    },
    "atlas.notice": {
        "nl": "Een verschil met de verwachting is geen oordeel over beleid: het wijst op "
        "lokale factoren die het model niet kent.",
        "en": "A difference from expectation is no verdict on policy: it points to local "
        "factors the model does not know.",
    },
    "atlas.source": {
        "nl": "Bron: CBS StatLine en eigen berekening met bluezones (dataset {dataset}).",
        "en": "Source: CBS StatLine and own calculation with bluezones (dataset {dataset}).",
    },
    "atlas.area.back": {"nl": "Terug naar de atlas", "en": "Back to the atlas"},
    "atlas.area.not_found": {
        "nl": "Gebied {code} staat niet in deze atlas.",
        "en": "Area {code} is not in this atlas.",
    },
    "atlas.area.in_gemeente": {"nl": "Wijk in {name}", "en": "District of {name}"},
    "atlas.area.trend": {
        "nl": "Werkelijk/verwacht door de jaren (95%-interval); band: blijvend effect",
        "en": "Observed/expected over the years (95% interval); band: lasting effect",
    },
    "atlas.area.break": {"nl": "trendbreuk", "en": "trend break"},
    "atlas.area.spine": {
        "nl": "Alle indicatoren tegen de verwachting: blijvend effect met 95%-interval "
        "(open rondje: laatste jaar)",
        "en": "Every indicator against expectation: lasting effect with 95% interval "
        "(open circle: latest year)",
    },
    "atlas.area.lasting": {
        "nl": "Blijvend effect: {ratio} (interval {low}-{high}); kans blijvend lager "
        "{p_below}, kans blijvend hoger {p_above}.",
        "en": "Lasting effect: {ratio} (interval {low}-{high}); probability lastingly lower "
        "{p_below}, lastingly higher {p_above}.",
    },
    "atlas.area.yearly": {"nl": "Classificatie per jaar", "en": "Classification per year"},
    "atlas.area.peers": {
        "nl": "Vergelijkbare gebieden (naar bevolkingsprofiel)",
        "en": "Similar areas (by population profile)",
    },
    "atlas.area.notes": {"nl": "Over de cijfers", "en": "About the figures"},
    "atlas.area.note_missing": {
        "nl": "{indicator}: geen bruikbare cijfers in {years} ({reason}).",
        "en": "{indicator}: no usable figures in {years} ({reason}).",
    },
    "atlas.area.note_merger": {
        "nl": "Herindeling {year}: {name} ({code}) ging op in dit gebied; eerdere jaren zijn "
        "omgerekend naar de grenzen van {reference}.",
        "en": "Boundary change {year}: {name} ({code}) merged into this area; earlier years "
        "are recalculated to the boundaries of {reference}.",
    },
    "atlas.area.note_merger_part": {
        "nl": "Herindeling {year}: een deel ({share}) van {name} ({code}) ging op in dit "
        "gebied; eerdere jaren zijn omgerekend naar de grenzen van {reference}.",
        "en": "Boundary change {year}: part ({share}) of {name} ({code}) moved into this "
        "area; earlier years are recalculated to the boundaries of {reference}.",
    },
    "atlas.area.note_island": {
        "nl": "Eiland: zonder landburen, apart gehouden in de ruimtelijke analyse.",
        "en": "Island: without land neighbours, kept apart in the spatial analysis.",
    },
    "atlas.area.note_provisional": {
        "nl": "Cijfers van het laatste jaar ({year}) kunnen voorlopig zijn; CBS herziet ze "
        "meestal met 1-2%.",
        "en": "Figures of the latest year ({year}) may be provisional; CBS usually revises "
        "them by 1-2%.",
    },
    "atlas.area.values": {"nl": "Cijfers per jaar", "en": "Figures per year"},
    "export.done": {
        "nl": "{n} bestanden geschreven naar {folder} (met manifest.json voor de herkomst).",
        "en": "{n} files written to {folder} (with manifest.json for provenance).",
    },
    # --- disclosure control (bluezones.sdc; 'bluezones sdc-check') ------------
    "sdc.suppressed": {
        "nl": "Onderdrukt: minder dan {min_count} personen, of af te leiden uit een totaal "
        "(geheimhouding microdata).",
        "en": "Suppressed: fewer than {min_count} persons, or derivable from a total "
        "(microdata confidentiality).",
    },
    "sdc.rule.small_count": {
        "nl": "aantal {value} ligt onder het minimum van {min_count} personen",
        "en": "count {value} is below the minimum of {min_count} persons",
    },
    "sdc.rule.minmax": {
        "nl": "minimum of maximum: zulke waarden beschrijven één persoon",
        "en": "minimum or maximum: such values describe one person",
    },
    "sdc.rule.person_id": {
        "nl": "persoonsnummer of ander persoonskenmerk mag niet naar buiten",
        "en": "person identifier must not leave the secure environment",
    },
    "sdc.rule.difference": {
        "nl": "totaal {total} min de gepubliceerde deelgebieden geeft het onderdrukte {cell} terug",
        "en": "total {total} minus the published parts gives back the suppressed {cell}",
    },
    "sdc.rule.unchecked": {
        "nl": "niet gecontroleerd ({detail}): controleer dit bestand zelf",
        "en": "not checked ({detail}): check this file yourself",
    },
    "sdc.check.violation": {
        "nl": "{file} | {where} | {column}: {reason}",
        "en": "{file} | {where} | {column}: {reason}",
    },
    "sdc.check.clean": {
        "nl": "{folder}: geen overtredingen in {files} bestanden (minimum {min_count} personen).",
        "en": "{folder}: no violations in {files} files (minimum {min_count} persons).",
    },
    "sdc.check.found": {
        "nl": "{folder}: {count} overtredingen in {files} bestanden (minimum {min_count} "
        "personen). Dit mag zo niet naar buiten.",
        "en": "{folder}: {count} violations in {files} files (minimum {min_count} persons). "
        "This must not leave as it is.",
    },
    "sdc.check.limits": {
        "nl": "Dit vervangt de outputcontrole van het CBS niet.",
        "en": "This does not replace CBS's own output check.",
    },
    "atlas.built": {
        "nl": "Atlas geschreven naar {folder}. Open {index} in een browser, of start "
        "'bluezones serve --dir {folder}'.",
        "en": "Atlas written to {folder}. Open {index} in a browser, or run "
        "'bluezones serve --dir {folder}'.",
    },
    "atlas.serving": {
        "nl": "De atlas in {folder} staat op {url} (stoppen met Ctrl+C).",
        "en": "Serving the atlas in {folder} at {url} (stop with Ctrl+C).",
    },
    "atlas.area.drivers": {
        "nl": "Wat de verwachting bepaalt ({indicator}, {year})",
        "en": "What drives the expectation ({indicator}, {year})",
    },
    "atlas.area.drivers_note": {
        "nl": "Factor: hoeveel hoger (>1) of lager (<1) de verwachting door dit kenmerk is "
        "dan bij een gebied met gemiddelde waarden.",
        "en": "Factor: how much higher (>1) or lower (<1) this characteristic makes the "
        "expectation than for an area with average values.",
    },
    "atlas.col.covariate": {"nl": "Kenmerk", "en": "Characteristic"},
    "atlas.col.value": {"nl": "Dit gebied", "en": "This area"},
    "atlas.col.average": {"nl": "Gemiddeld", "en": "Average"},
    "atlas.col.effect": {"nl": "Factor", "en": "Factor"},
    "atlas.reason.as_expected": {
        "nl": "Geen blijvend verschil met de verwachting (kans lager {p_below}, "
        "kans hoger {p_above}).",
        "en": "No lasting difference from expectation (probability lower {p_below}, "
        "higher {p_above}).",
    },
    # --- reports (bluezones.present.report; 'bluezones report') ----------------
    "report.title.gemeente": {
        "nl": "Jeugdzorg in {name}: gebruik tegen de verwachting",
        "en": "Youth care in {name}: use against expectation",
    },
    "report.title.wijk": {
        "nl": "Jeugdzorg in de wijk {name}: gebruik tegen de verwachting",
        "en": "Youth care in the district {name}: use against expectation",
    },
    "report.title.jeugdregio": {
        "nl": "Jeugdzorg in jeugdregio {name}: gebruik tegen de verwachting",
        "en": "Youth care in the youth-care region {name}: use against expectation",
    },
    "report.title.national": {
        "nl": "Jeugdzorg in Nederland: waar is het gebruik opvallend lager of hoger dan verwacht?",
        "en": "Youth care in the Netherlands: where is use notably lower or higher than expected?",
    },
    "report.subtitle": {
        "nl": "{code}{parent} · dataset {dataset} · jaren {first}-{last} · indeling {year}",
        "en": "{code}{parent} · dataset {dataset} · years {first}-{last} · boundaries {year}",
    },
    "report.subtitle.national": {
        "nl": "Landelijk overzicht · dataset {dataset} · jaren {first}-{last} · indeling {year}",
        "en": "National summary · dataset {dataset} · years {first}-{last} · boundaries {year}",
    },
    "report.in.gemeente": {"nl": " · jeugdregio {name}", "en": " · youth-care region {name}"},
    "report.in.wijk": {"nl": " · gemeente {name}", "en": " · municipality {name}"},
    "report.region": {"nl": "Jeugdregio", "en": "Youth-care region"},
    "report.level.gemeente": {"nl": "gemeenten", "en": "municipalities"},
    "report.level.wijk": {"nl": "wijken", "en": "districts"},
    "report.headline": {"nl": "{name}: {status}.", "en": "{name}: {status}."},
    "report.lower": {"nl": "lager", "en": "lower"},
    "report.higher": {"nl": "hoger", "en": "higher"},
    "report.region.pooled": {
        "nl": "In {name} was het gebruik van {indicator} over {first}-{last} samen {size}% "
        "{direction} dan verwacht (werkelijk/verwacht {ratio}, 95%-interval {interval}).",
        "en": "In {name}, use of {indicator} over {first}-{last} together was {size}% "
        "{direction} than expected (observed/expected {ratio}, 95% interval {interval}).",
    },
    "report.region.members": {
        "nl": "De jeugdregio telt {n} gemeenten: {counts}.",
        "en": "The region has {n} municipalities: {counts}.",
    },
    "report.section.map": {"nl": "Kaart", "en": "Map"},
    "report.map.ratio": {
        "nl": "Werkelijk/verwacht, blijvend verschil ({indicator})",
        "en": "Observed/expected, lasting difference ({indicator})",
    },
    "report.map.status": {"nl": "Classificatie", "en": "Classification"},
    "report.map.note": {
        "nl": "Het gebied zelf heeft een dikke rand; de omliggende gebieden staan er ter "
        "vergelijking bij (lichtgrijs: buiten dit overzicht).",
        "en": "The area itself has a thick outline; the surrounding areas are shown for "
        "comparison (light grey: outside this summary).",
    },
    "report.map.note_wijk": {
        "nl": "De wijken van de gemeente; de dikke lijn is de gemeentegrens.",
        "en": "The municipality's districts; the thick line is the municipal border.",
    },
    "report.legend.ratio": {"nl": "werkelijk/verwacht", "en": "observed/expected"},
    "report.legend.missing": {"nl": "te klein / geen cijfers", "en": "too small / no figures"},
    "report.section.indicators": {
        "nl": "Indicatoren tegen de verwachting",
        "en": "Indicators against expectation",
    },
    "report.col.indicator": {"nl": "Indicator", "en": "Indicator"},
    "report.col.observed": {"nl": "Werkelijk {year}", "en": "Observed {year}"},
    "report.col.expected": {"nl": "Verwacht {year}", "en": "Expected {year}"},
    "report.col.ratio": {"nl": "W/V {year} (95%)", "en": "O/E {year} (95%)"},
    "report.col.pooled": {"nl": "W/V {first}-{last} (95%)", "en": "O/E {first}-{last} (95%)"},
    "report.col.lasting": {"nl": "Blijvend W/V (95%)", "en": "Lasting O/E (95%)"},
    "report.col.p_below": {"nl": "Kans blijvend lager", "en": "Prob. lastingly lower"},
    "report.col.p_above": {"nl": "Kans blijvend hoger", "en": "Prob. lastingly higher"},
    "report.col.area": {"nl": "Gebied", "en": "Area"},
    "report.col.code": {"nl": "Code", "en": "Code"},
    "report.col.status": {"nl": "Classificatie", "en": "Classification"},
    "report.col.count": {"nl": "Aantal", "en": "Number"},
    "report.col.reasons": {"nl": "Waarom", "en": "Why"},
    "report.col.value": {"nl": "Waarde {year}", "en": "Value {year}"},
    "report.table.note": {
        "nl": "W/V = werkelijk gebruik gedeeld door verwacht gebruik: 1,00 is zoals verwacht, "
        "0,80 is 20% lager. Tussen haakjes het 95%-interval. Blijvend: het verschil dat "
        "jaar na jaar terugkomt, niet één toevallig jaar.",
        "en": "O/E = observed use divided by expected use: 1.00 is as expected, 0.80 is 20% "
        "lower. In brackets the 95% interval. Lasting: the difference that returns year "
        "after year, not one chance year.",
    },
    "report.section.trend": {"nl": "Door de jaren", "en": "Over the years"},
    "report.trend.caption": {
        "nl": "Werkelijk/verwacht per jaar met 95%-interval (punten). Grijze band: waar een "
        "gebied van deze omvang valt dat zich gedraagt zoals verwacht (95%-grenzen). "
        "Blauwe band: het blijvende verschil. Stippellijn: trendbreuk.",
        "en": "Observed/expected per year with 95% interval (points). Grey band: where an "
        "area of this size that behaves as expected falls (95% limits). Blue band: the "
        "lasting difference. Dashed line: trend break.",
    },
    "report.section.peers": {
        "nl": "Vergelijkbare gebieden (naar bevolkingsprofiel)",
        "en": "Similar areas (by population profile)",
    },
    "report.section.members": {
        "nl": "Gemeenten in deze jeugdregio",
        "en": "Municipalities in this region",
    },
    "report.section.notes": {"nl": "Over de cijfers", "en": "About the figures"},
    "report.note.members_missing": {
        "nl": "{indicator} {year}: {n} gemeente(n) zonder bruikbare cijfers niet meegeteld.",
        "en": "{indicator} {year}: {n} municipality(ies) without usable figures left out.",
    },
    "report.section.method": {"nl": "Methode", "en": "Method"},
    "report.method.expected": {
        "nl": "Verwacht gebruik: een model op kenmerken van de bevolking (zoals "
        "eenoudergezinnen, bijstand, inkomen en stedelijkheid) met één niveau per jaar, "
        "geschat op alle gebieden (indirecte standaardisatie).",
        "en": "Expected use: a model on population characteristics (such as single-parent "
        "households, social assistance, income and urbanity) with one level per year, "
        "fitted on all areas (indirect standardisation).",
    },
    "report.method.ratio": {
        "nl": "Werkelijk/verwacht met een exact Poisson-interval; trechtergrenzen van 95% en "
        "99,8% met overdispersie: gebieden verschillen meer dan toeval alleen verklaart.",
        "en": "Observed/expected with an exact Poisson interval; funnel limits of 95% and "
        "99.8% with overdispersion: areas differ more than chance alone explains.",
    },
    "report.method.lasting": {
        "nl": "Blijvend verschil: een gebiedseffect over alle jaren samen, met de kans dat "
        "het gebruik blijvend lager of hoger is dan verwacht.",
        "en": "Lasting difference: an area effect over all years together, with the "
        "probability that use is lastingly lower or higher than expected.",
    },
    "report.method.status": {
        "nl": "BlueZone-kandidaat: jeugdhulp blijvend opvallend laag (onjuiste-ontdekkingsratio "
        "10%) zonder hoge jeugdbescherming of uithuisplaatsingen. Opvallend hoog: blijvend "
        "opvallend hoger. Te klein: minder dan 2 bruikbare jaren of 20 verwachte jongeren.",
        "en": "BlueZone candidate: youth care lastingly notably low (false discovery rate "
        "10%) without high child protection or out-of-home placements. Notably high: "
        "lastingly notably higher. Too small: fewer than 2 usable years or 20 expected.",
    },
    "report.method.region": {
        "nl": "Een jeugdregio is de som van haar gemeenten: werkelijk en verwacht gebruik "
        "zijn per jaar opgeteld over de gemeenten met bruikbare cijfers. Een jeugdregio "
        "krijgt zelf geen classificatie; die hebben haar gemeenten.",
        "en": "A youth-care region is the sum of its municipalities: observed and expected "
        "use are added per year over the municipalities with usable figures. A region "
        "gets no classification of its own; its municipalities have one.",
    },
    "report.section.caveats": {"nl": "Kanttekeningen", "en": "Caveats"},
    "report.caveat.policy": {
        "nl": "Een verschil met de verwachting is geen oordeel over beleid: het wijst op "
        "lokale factoren die het model niet kent.",
        "en": "A difference from expectation is not a judgement on policy: it points to "
        "local factors the model does not know.",
    },
    "report.caveat.break": {
        "nl": "Trendbreuk 2021: vanaf de publicatie van 29 oktober 2021 leveren veel meer "
        "aanbieders aan, dus cijfers vanaf 2021 zijn niet te vergelijken met 2015-2020 "
        "(een kleine breuk ook in 2020). Het model schat elk jaar apart.",
        "en": "Trend break 2021: from the release of 29 October 2021 many more providers "
        "report, so figures from 2021 on do not compare with 2015-2020 (a small break in "
        "2020 too). The model estimates each year on its own.",
    },
    "report.caveat.small": {
        "nl": "Kleine aantallen: bij weinig jongeren zijn de intervallen breed en zegt één "
        "jaar weinig; CBS onderdrukt kleine aantallen (die zijn leeg, niet nul).",
        "en": "Small numbers: with few young people the intervals are wide and one year "
        "says little; CBS suppresses small counts (they are empty, not zero).",
    },
    "report.caveat.model": {
        "nl": "De lijsten zijn kandidaten voor nader onderzoek, geen eindoordeel: wachtlijsten, "
        "zelf betaalde zorg en registratieverschillen kunnen een laag gebruik verklaren.",
        "en": "The lists are candidates for follow-up, not a final verdict: waiting lists, "
        "privately paid care and recording differences can explain low use.",
    },
    "report.section.provenance": {"nl": "Herkomst", "en": "Provenance"},
    "report.prov.what": {"nl": "Onderdeel", "en": "Item"},
    "report.prov.value": {"nl": "Waarde", "en": "Value"},
    "report.prov.dataset": {"nl": "Dataset", "en": "Dataset"},
    "report.prov.level": {"nl": "Niveau", "en": "Level"},
    "report.prov.reference_year": {"nl": "Indeling (jaar)", "en": "Boundaries (year)"},
    "report.prov.run": {"nl": "Detectie gedraaid", "en": "Detection run"},
    "report.prov.model": {"nl": "Model", "en": "Model"},
    "report.prov.settings": {"nl": "Instellingen", "en": "Settings"},
    "report.prov.seed": {"nl": "Seed", "en": "Seed"},
    "report.prov.version": {"nl": "Versie", "en": "Version"},
    "report.prov.table": {"nl": "CBS-tabel", "en": "CBS table"},
    "report.prov.source": {"nl": "Bron", "en": "Source"},
    "report.prov.modified": {"nl": "Gewijzigd", "en": "Modified"},
    "report.prov.no_sources": {
        "nl": "Dataset {dataset} komt niet uit opgehaalde CBS-tabellen.",
        "en": "Dataset {dataset} does not come from fetched CBS tables.",
    },
    "report.prov.manifest": {
        "nl": "Bestand manifest.json naast dit rapport noemt ook de controlegetallen van "
        "alle bestanden.",
        "en": "The file manifest.json beside this report also lists every file's checksum.",
    },
    "report.section.monitor": {
        "nl": "Jeugdbescherming (monitor)",
        "en": "Child protection (monitor)",
    },
    "report.monitor.none": {
        "nl": "Geen monitorcijfers voor dit gebied.",
        "en": "No monitor figures for this area.",
    },
    "report.list.empty": {"nl": "Geen gebieden op deze lijst.", "en": "No areas on this list."},
    "report.national.headline": {
        "nl": "{n} {level} beoordeeld over {first}-{last}: {bluezone} BlueZone-kandidaten, "
        "{escalation} met laag gebruik maar hoge escalatie, {high} opvallend hoog.",
        "en": "{n} {level} judged over {first}-{last}: {bluezone} BlueZone candidates, "
        "{escalation} with low use but high escalation, {high} notably high.",
    },
    "report.section.counts": {"nl": "Aantallen per classificatie", "en": "Numbers per status"},
    "report.section.national_map": {"nl": "Kaarten van Nederland", "en": "Maps of the Netherlands"},
    "report.section.list.bluezone": {"nl": "BlueZone-kandidaten", "en": "BlueZone candidates"},
    "report.section.list.escalation": {
        "nl": "Laag gebruik, maar hoge escalatie",
        "en": "Low use, but high escalation",
    },
    "report.section.list.high": {"nl": "Opvallend hoog", "en": "Notably high"},
    "report.footer": {
        "nl": "bluezones · {title} · pagina {page}",
        "en": "bluezones · {title} · page {page}",
    },
    "report.done": {
        "nl": "{n} rapportbestanden geschreven naar {folder} in {seconds} s (met manifest.json "
        "voor de herkomst).",
        "en": "{n} report files written to {folder} in {seconds} s (with manifest.json for "
        "provenance).",
    },
    "report.progress": {"nl": "Rapporten", "en": "Reports"},
}


class _DutchNumber(float):
    """A float that formats with a decimal comma and a thousands point (0,60; 1.234,5)."""

    def __format__(self, spec: str) -> str:
        return format(float(self), spec).translate(_DUTCH_SEPARATORS)


_DUTCH_SEPARATORS = str.maketrans({",": ".", ".": ","})


def text(key: str, lang: str = "nl", **fields: object) -> str:
    """The message ``key`` in ``lang`` (falling back to Dutch), with ``fields`` filled in.

    Numbers with decimals are written the Dutch way in Dutch messages.

    >>> text("store.location", "en", path="/tmp/x.duckdb")
    'Store: /tmp/x.duckdb'
    >>> text("detect.item", name="Urk", code="GM0184", ratio=0.6, low=0.55, high=0.651)
    '  • Urk (GM0184): gebruik/verwacht 0,60 (95%-interval 0,55-0,65)'
    """
    entry = MESSAGES[key]
    template = entry.get(lang, entry["nl"])  # type: ignore[call-overload]
    if lang != "en":  # numpy's float64 is a float too
        fields = {k: _DutchNumber(v) if isinstance(v, float) else v for k, v in fields.items()}
    return template.format(**fields)
