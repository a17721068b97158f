'use strict';
// The production run form does the baker's arithmetic: choosing a recipe that has one finished
// unit chooses that unit, and the expected yield follows the unit and the batches until the
// baker types a number of their own. The server works the yields out (yields_view), so the
// rule stays in FinishedUnit.expected_yield; this script only asks and fills in.
{
    const $ = django.jQuery;

    $(function() {
        const recipe = $('#id_recipe');
        const unit = $('#id_finished_unit');
        const batches = $('#id_num_batches');
        const expected = $('#id_expected_yield');
        const url = expected.data('yields-url');
        if (!url || !recipe.length || !unit.length || !batches.length) {
            return;
        }
        // The value this script last wrote: a different one in the field is the baker's own.
        let filled = '';
        // Only the answer to the latest question is used, whatever order answers come in.
        let asked = 0;

        function batchesGiven() {
            const text = batches.val().trim();
            return /^[0-9]+$/.test(text) && Number(text) > 0 ? text : '';
        }

        function fillExpected(value) {
            const current = expected.val();
            if (current === value) {
                filled = value;
            } else if (current === '' || current === filled) {
                expected.val(value);
                filled = value;
            }
        }

        function chooseUnit(units) {
            const current = unit.val();
            if (units.some((u) => String(u.id) === current)) {
                return;
            }
            if (units.length === 1) {
                // An autocomplete select holds only its chosen option: add the unit's.
                const only = new Option(units[0].name, units[0].id, true, true);
                unit.append(only).trigger('change');
            } else if (current) {
                // A unit of another recipe would only be refused on save.
                unit.val(null).trigger('change');
            }
        }

        function update() {
            const ask = ++asked;
            if (!recipe.val()) {
                fillExpected('');
                return;
            }
            const query = {recipe: recipe.val()};
            if (batchesGiven()) {
                query.batches = batchesGiven();
            }
            $.getJSON(url, query).done(function(answer) {
                if (ask !== asked) {
                    return;
                }
                chooseUnit(answer.units);
                const chosen = answer.units.find((u) => String(u.id) === unit.val());
                const known = chosen && chosen.expected_yield !== null;
                fillExpected(known ? String(chosen.expected_yield) : '');
            });
        }

        // Select2 tells of a choice with a jQuery change event, which only jQuery hears.
        recipe.on('change', update);
        unit.on('change', update);
        batches.on('input', update);
        update();
    });
}
