/**
 * Which answers of a form are its free text. The migration 1795570000000-CreateThemeSuggestions defines
 * `ridealong_form_phrases(answers)` (the phrases a trigger keeps in observation_phrases) over the same list;
 * the repository uses it to find the answer a snippet comes from. Language: PostgreSQL's `english` text
 * search configuration; nothing here stems or lists stop words itself.
 */

/**
 * The free text of a form as one jsonb array of strings: the empathy map, pain points, quotes (not who
 * said them), ideas, moments, negative feedback, the focus finding, what the rep lacked and how they
 * followed up, and the lifecycle team's custom questions. Not the segment, the account, intros (people's
 * names) or theme names. Each element is parsed on its own, so no phrase spans two answers.
 */
export const FREE_TEXT = (answers: string) =>
  [
    `lax $.empathy.*[*]`,
    `lax $.painPoints[*]`,
    `lax $.quotes[*].text`,
    `lax $.ideas[*].text`,
    `lax $.peak.text`,
    `lax $.end.text`,
    `lax $.negativeFeedback`,
    `lax $.focusFinding`,
    `lax $.lead.lacked`,
    `lax $.lead.followUp`,
    `lax $.keyvalue() ? (@.key starts with "custom.").value`,
  ]
    .map((p) => `jsonb_path_query_array(${answers}, '${p}')`)
    .join(' || ');
