import KyniemConfig
import KyniemCore
import KyniemDispatch

// A notifier's template settings are read here, with the other settings' typed reader, so a
// `template:` that is a list, a map or empty is a problem at its own file:line:column; then
// KyniemDispatch's `MessageTemplates` loads the files they name.
extension MessageTemplates {
    /// The templates of the notifier `spec`: the defaults for its language, each replaced by the
    /// file its settings name. Every wrongly written setting, and every unreadable or malformed
    /// file, is reported.
    public static func load(for spec: NotifierSpec, configDirectory: String?) -> Result<MessageTemplates, ConfigurationErrors> {
        var settings = NotifierSettings(spec)
        let files = settings.templateFiles()
        guard settings.problems.isEmpty else { return .failure(ConfigurationErrors(settings.problems)) }
        return load(files, language: spec.language, configDirectory: configDirectory)
    }

    /// Unknown template variables in the files `spec` names (see `variableProblems(_:notifier:configDirectory:)`);
    /// a setting that is wrongly written is `load(for:configDirectory:)`'s to report.
    public static func variableProblems(for spec: NotifierSpec, configDirectory: String?) -> [ConfigurationProblem] {
        var settings = NotifierSettings(spec)
        return variableProblems(settings.templateFiles(), notifier: spec.id, configDirectory: configDirectory)
    }
}
