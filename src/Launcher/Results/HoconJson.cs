using System.Globalization;
using System.Text.Json;
using Akka.Configuration.Hocon;
using VirtCca.Launcher.Config;

namespace VirtCca.Launcher.Results;

/// <summary>Writes a resolved HOCON tree as JSON (numbers stay numbers, booleans booleans, the rest strings).</summary>
internal static class HoconJson
{
    /// <param name="omitNulls">leave null settings out (Akka reads a JSON null back as an empty string; absent, they fall back to reference.conf's null)</param>
    public static void Write(Utf8JsonWriter w, HoconValue value, bool omitNulls = false)
    {
        if (value.IsObject())
        {
            w.WriteStartObject();
            foreach (var (key, child) in value.GetObject().Items.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                if (omitNulls && Hocon.IsNull(child)) continue;
                w.WritePropertyName(key);
                Write(w, child, omitNulls);
            }
            w.WriteEndObject();
        }
        else if (Hocon.IsList(value))
        {
            w.WriteStartArray();
            foreach (var item in Hocon.Elements(value)) Write(w, item, omitNulls);
            w.WriteEndArray();
        }
        else
        {
            var s = value.GetString();
            if (s == null) w.WriteNullValue();
            else if (s is "true" or "false") w.WriteBooleanValue(s == "true");
            else if (decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !s.StartsWith('+')) w.WriteNumberValue(d);
            else w.WriteStringValue(s);
        }
    }
}
