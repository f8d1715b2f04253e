// requested-attributes (RFC 8011 §4.2.5.1, §4.3.4.1): attribute names and group keywords
// ('all', 'job-template', 'job-description', 'printer-description', and 'media-col-database', which
// only an explicit request returns because it is large).
export type AttributeGroupName = 'job-template' | 'job-description' | 'printer-description' | 'media-col-database';

export type AttributeSelector = (name: string, group: AttributeGroupName) => boolean;

export function attributeSelector(requested: readonly string[] | undefined, defaults: readonly string[]): AttributeSelector {
  const wanted = new Set(requested && requested.length > 0 ? requested : defaults);
  return (name, group) => {
    if (wanted.has(name)) return true;
    if (group === 'media-col-database') return false;
    return wanted.has('all') || wanted.has(group);
  };
}
